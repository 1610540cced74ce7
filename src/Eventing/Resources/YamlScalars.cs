using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// How Kubernetes tooling (YAML 1.1 via sigs.k8s.io/yaml) would type a plain scalar. We read everything as text, so
/// this is what tells <c>detected: true</c> (a boolean, which Knative rejects in a string field) from <c>detected: "true"</c>.
/// </summary>
internal static partial class YamlScalars
{
    public static bool IsNull(YamlScalarNode scalar) =>
        IsUntypedPlain(scalar) && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The YAML type of a plain scalar that is not a string ("boolean", "number"), or null for a string.</summary>
    public static string? NonStringType(YamlScalarNode scalar)
    {
        if (!IsUntypedPlain(scalar) || scalar.Value is null)
        {
            return null;
        }

        if (Boolean().IsMatch(scalar.Value))
        {
            return "boolean";
        }

        return Number().IsMatch(scalar.Value) ? "number" : null;
    }

    public static bool IsInteger(YamlScalarNode scalar) =>
        IsUntypedPlain(scalar) && scalar.Value is { } value && Integer().IsMatch(value);

    private static bool IsUntypedPlain(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && (scalar.Tag.IsEmpty || scalar.Tag.IsNonSpecific);

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$", RegexOptions.CultureInvariant)]
    private static partial Regex Boolean();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex("^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();
}

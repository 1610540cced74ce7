using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Skylark.Events.Eventing.Resources;

/// <summary>
/// Reads typed fields out of one YAML document and records every problem against the document's file, index,
/// field path and line. Readers never throw for bad input: they report and return null so validation goes on.
/// </summary>
internal sealed class DocumentReader(string file, int document, int lineOffset, ICollection<ResourceError> errors)
{
    public ResourceOrigin Origin { get; } = new(file, document);

    /// <summary>How many errors this document has produced so far.</summary>
    public int ErrorCount { get; private set; }

    public void Error(string field, YamlNode? at, string message)
    {
        ErrorCount++;
        errors.Add(new ResourceError(file, document, field, message) { Line = at is null ? null : lineOffset + (int)at.Start.Line });
    }

    /// <summary>The value under <paramref name="key"/>; null when the key is absent or its value is YAML null.</summary>
    public static YamlNode? Child(YamlMappingNode? map, string key)
    {
        if (map is null)
        {
            return null;
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && string.Equals(name, key, StringComparison.Ordinal))
            {
                return v is YamlScalarNode scalar && YamlScalars.IsNull(scalar) ? null : v;
            }
        }

        return null;
    }

    public static bool Has(YamlMappingNode? map, string key) => Child(map, key) is not null;

    public string? ReadString(YamlMappingNode? map, string key, string path) =>
        Child(map, key) is { } node ? ReadString(node, path) : null;

    public string? ReadString(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(path, node, $"expected a string, got a {Describe(node)}");
            return null;
        }

        if (YamlScalars.IsNull(scalar))
        {
            return null;
        }

        if (YamlScalars.NonStringType(scalar) is { } type)
        {
            Error(path, node, $"expected a string, got the {type} {scalar.Value}; quote it (\"{scalar.Value}\") if a string is meant");
            return null;
        }

        return scalar.Value ?? string.Empty;
    }

    /// <summary>A required non-empty string; reports <c>required</c> when absent or empty.</summary>
    public string? ReadRequiredString(YamlMappingNode? map, string key, string path, YamlNode? parent)
    {
        var node = Child(map, key);
        if (node is null)
        {
            Error(path, parent ?? map, "required");
            return null;
        }

        var value = ReadString(node, path);
        if (value is { Length: 0 })
        {
            Error(path, node, "required; must not be empty");
            return null;
        }

        return value;
    }

    public int? ReadInt32(YamlMappingNode? map, string key, string path)
    {
        if (Child(map, key) is not { } node)
        {
            return null;
        }

        if (node is YamlScalarNode scalar && YamlScalars.IsInteger(scalar)
            && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Error(path, node, $"expected a 32-bit integer, got {Show(node)}");
        return null;
    }

    public YamlMappingNode? ReadMapping(YamlMappingNode? map, string key, string path) =>
        Child(map, key) is { } node ? ReadMapping(node, path) : null;

    public YamlMappingNode? ReadMapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }

        Error(path, node, $"expected a mapping (key: value pairs), got {Show(node)}");
        return null;
    }

    public YamlSequenceNode? ReadSequence(YamlMappingNode? map, string key, string path)
    {
        if (Child(map, key) is not { } node)
        {
            return null;
        }

        if (node is YamlSequenceNode sequence)
        {
            return sequence;
        }

        Error(path, node, $"expected a list, got {Show(node)}");
        return null;
    }

    /// <summary>
    /// A string-to-string map such as labels or filter attributes; keys failing <paramref name="keyRule"/> are
    /// reported with <paramref name="keyRuleText"/>. Returns null when absent (or not a mapping, which is reported).
    /// </summary>
    public IReadOnlyDictionary<string, string>? ReadStringMap(
        YamlMappingNode? map,
        string key,
        string path,
        Func<string, bool>? keyRule = null,
        string? keyRuleText = null)
    {
        var mapping = ReadMapping(map, key, path);
        return mapping is null ? null : ReadStringMap(mapping, path, keyRule, keyRuleText);
    }

    public IReadOnlyDictionary<string, string> ReadStringMap(
        YamlMappingNode mapping,
        string path,
        Func<string, bool>? keyRule = null,
        string? keyRuleText = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in mapping.Children)
        {
            if (k is not YamlScalarNode { Value: { } name })
            {
                Error(path, k, $"expected a string key, got {Show(k)}");
                continue;
            }

            if (keyRule is not null && !keyRule(name))
            {
                Error(path, k, $"invalid key \"{name}\": {keyRuleText}");
            }

            var value = v is YamlScalarNode scalar && YamlScalars.IsNull(scalar) ? string.Empty : ReadString(v, FieldPath.Join(path, name));
            if (value is not null)
            {
                result[name] = value;
            }
        }

        return result.AsReadOnly();
    }

    /// <summary>Reports keys of <paramref name="map"/> that are not in <paramref name="known"/>.</summary>
    public void RejectUnknownKeys(YamlMappingNode map, string path, IReadOnlyCollection<string> known, string what)
    {
        foreach (var k in map.Children.Keys)
        {
            if (k is YamlScalarNode { Value: { } name } && !known.Contains(name))
            {
                Error(FieldPath.Join(path, name), k, $"unknown {what} \"{name}\"; expected one of {string.Join(", ", known)}");
            }
        }
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        YamlScalarNode scalar => YamlScalars.NonStringType(scalar) ?? "string",
        _ => "alias",
    };

    public static string Show(YamlNode node) => node switch
    {
        YamlScalarNode scalar => $"the {Describe(node)} {(scalar.Style == YamlDotNet.Core.ScalarStyle.Plain ? scalar.Value : $"\"{scalar.Value}\"")}",
        _ => $"a {Describe(node)}",
    };
}

using System.Globalization;

namespace Skylark.Events.Eventing.Resources;

/// <summary>Builds the field paths errors name, in Knative's style: <c>spec.filters[0].exact</c>.</summary>
internal static class FieldPath
{
    public static string Join(string parent, string field) => parent.Length == 0 ? field : parent + "." + field;

    public static string Index(string parent, int index) => parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
}

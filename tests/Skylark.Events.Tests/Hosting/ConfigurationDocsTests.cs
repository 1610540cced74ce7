using System.Reflection;
using System.Text.RegularExpressions;
using Skylark.Events.Hosting;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Hosting;

/// <summary>docs/configuration.md has one row per setting any deployable reads, and no row for a setting that is gone.</summary>
public sealed partial class ConfigurationDocsTests
{
    [Fact]
    public void Every_setting_of_every_service_is_documented_once_and_every_documented_one_exists()
    {
        var settings = AllSettings();
        var rows = DocumentedRows();

        var expected = settings.Select(s => (Flag: s.Secret ? "— (secret)" : s.Flag, s.Environment)).Order().ToList();

        Assert.Equal(expected, rows.Order().ToList());
    }

    [Fact]
    public void No_two_settings_share_a_name_or_an_environment_variable()
    {
        var settings = AllSettings();

        Assert.Equal(settings.Count, settings.Select(s => s.Name).Distinct().Count());
        Assert.Equal(settings.Count, settings.Select(s => s.Environment).Distinct().Count());
    }

    [Fact]
    public void The_finder_sees_settings_of_the_services_not_only_the_common_ones()
    {
        var names = AllSettings().Select(s => s.Name).ToList();

        Assert.Contains("node", names);
        Assert.Contains("peer-token", names);
        Assert.Contains("journal", names);
        Assert.Contains("policy", names);
    }

    /// <summary>Every public static <see cref="Setting"/> in Skylark's assemblies next to the tests.</summary>
    private static List<Setting> AllSettings() =>
        Directory.GetFiles(AppContext.BaseDirectory, "Skylark.Events.*.dll")
            .Where(path => !path.EndsWith("Skylark.Events.Tests.dll", StringComparison.Ordinal))
            .Select(path => Assembly.LoadFrom(path))
            .SelectMany(assembly => assembly.GetExportedTypes())
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.FieldType == typeof(Setting))
            .Select(field => (Setting)field.GetValue(null)!)
            .Distinct()
            .ToList();

    private static List<(string Flag, string Environment)> DocumentedRows()
    {
        var text = File.ReadAllText(RepositoryPaths.InRoot("docs", "configuration.md"));
        var table = text[text.IndexOf("## Every setting", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        return [.. RowRegex().Matches(table).Select(m => (m.Groups[1].Value.Trim('`'), m.Groups[2].Value))];
    }

    [GeneratedRegex(@"^\| (`--[a-z0-9-]+`|— \(secret\)) \| `([A-Z0-9_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex RowRegex();
}

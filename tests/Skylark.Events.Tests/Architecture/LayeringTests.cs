using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Architecture;

/// <summary>
/// Every project under src/, and the lab, the benchmarks and the fuzz harnesses beside it, references only what its layer allows
/// (docs/architecture.md, "Project graph").
/// </summary>
public sealed class LayeringTests
{
    private const string Any = Layer.Any;
    private const string AspNetCore = "Microsoft.AspNetCore.App";

    private static readonly string[] Libraries = ["Bindings", "Contracts", "Eventing", "Hosting", "Identity", "State", "Topology"];
    private static readonly string[] LibrariesButTopology = ["Bindings", "Contracts", "Eventing", "Hosting", "Identity", "State"];

    private static readonly string[] Product =
    [
        .. Libraries, "Broker", "CameraIngest", "DeadLetters", "Predictor", "StateSink",
        "Functions/Alarm", "Functions/Detect", "Functions/Preprocess",
    ];

    /// <summary>
    /// The layers, bottom to top: the specification this test enforces. A project under src/, lab/ or bench/ without a
    /// row fails, and so does any ProjectReference, FrameworkReference (an <c>Sdk="Microsoft.NET.Sdk.Web"</c> counts as
    /// one to ASP.NET Core) or PackageReference that its row does not list.
    /// </summary>
    public static readonly IReadOnlyList<Layer> Table =
    [
        // The bottom: event types, extensions, StateRef, payloads. No project below it.
        new("Contracts", "bottom", Projects: [], Frameworks: [], Packages: ["CloudNative.CloudEvents", "CloudNative.CloudEvents.SystemTextJson"]),

        // The service contract every deployable shares: settings, health, readiness, metrics. Nothing of Skylark's.
        new("Hosting", "bottom", Projects: [], Frameworks: [AspNetCore], Packages: ["OpenTelemetry.Extensions.Hosting", "OpenTelemetry.Exporter.Prometheus.AspNetCore", "OpenTelemetry.Exporter.OpenTelemetryProtocol"]),

        // Libraries: on Contracts (and the service contract) only, with the few packages they are about.
        new("Bindings", "library", Projects: ["Contracts", "Hosting"], Frameworks: [AspNetCore], Packages: ["CloudNative.CloudEvents", "CloudNative.CloudEvents.SystemTextJson", "MQTTnet"]),
        new("Eventing", "library", Projects: ["Contracts"], Frameworks: [], Packages: ["CloudNative.CloudEvents", "Cronos", "Microsoft.Extensions.Logging.Abstractions", "YamlDotNet"]),
        // State sends a function's requests to its node's StateSink with the function's identity token.
        new("State", "library", Projects: ["Bindings", "Contracts", "Hosting", "Identity"], Frameworks: [AspNetCore], Packages: ["StackExchange.Redis"]),
        new("Topology", "library", Projects: ["Contracts"], Frameworks: [], Packages: ["KubernetesClient", "Microsoft.Extensions.Hosting", "YamlDotNet"]),

        // Sender identity (OIDC tokens): receivers verify inside their endpoints, senders attach their tokens; the
        // local issuer is a set of endpoints. On the service contract only.
        new("Identity", "library", Projects: ["Hosting"], Frameworks: [AspNetCore], Packages: ["Microsoft.AspNetCore.Authentication.JwtBearer"]),

        // Services: any library, never another service. Functions do not know the topology.
        new("Broker", "service", Projects: Libraries, Frameworks: [AspNetCore], Packages: [Any]),
        new("Predictor", "service", Projects: Libraries, Frameworks: [AspNetCore], Packages: [Any]),
        new("StateSink", "service", Projects: Libraries, Frameworks: [AspNetCore], Packages: [Any]),
        new("CameraIngest", "service", Projects: Libraries, Frameworks: [AspNetCore], Packages: [Any]),
        new("DeadLetters", "service", Projects: Libraries, Frameworks: [AspNetCore], Packages: [Any]),
        new("Functions/Preprocess", "function", Projects: LibrariesButTopology, Frameworks: [AspNetCore], Packages: [Any]),
        new("Functions/Detect", "function", Projects: LibrariesButTopology, Frameworks: [AspNetCore], Packages: [Any]),
        new("Functions/Alarm", "function", Projects: LibrariesButTopology, Frameworks: [AspNetCore], Packages: [Any]),

        // The lab runs the product in-process (emulated cluster, link emulation, simulated cameras, the demo's observer),
        // and the benchmarks measure it on the lab. Nothing of the product depends on either.
        new("lab", "lab", Projects: Product, Frameworks: [Any], Packages: [Any]),
        new("bench", "lab", Projects: ["lab", .. Product], Frameworks: [Any], Packages: [Any]),

        // The fuzz harnesses feed the product's parsers untrusted bytes; like the lab, nothing of the product knows them.
        new("fuzz", "lab", Projects: Product, Frameworks: [Any], Packages: [Any]),

        // The host: the `skylark` command's commands, over the lab, the benchmarks and the fuzz harnesses.
        new("Cli", "host", Projects: [Any], Frameworks: [Any], Packages: [Any]),
    ];

    private static string Src => RepositoryPaths.InRoot("src");

    [Fact]
    public void Every_reference_under_src_lab_and_bench_is_allowed_by_the_layer_table()
    {
        var references = ProjectReferences.Read(Src);

        var violations = Layer.Violations(references, Table);

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void The_table_has_a_row_for_every_project_under_src_lab_and_bench_and_none_for_a_project_that_is_gone()
    {
        var projects = ProjectReferences.Projects(Src).Keys.Order(StringComparer.Ordinal);

        Assert.Equal(Table.Select(l => l.Project).Order(StringComparer.Ordinal), projects);
    }

    [Fact]
    public void The_reader_sees_the_references_of_the_real_project_files()
    {
        var references = ProjectReferences.Read(Src);

        Assert.Contains(new ProjectReferenceItem(ProjectFile("Broker"), "Broker", ReferenceKind.Project, "Eventing"), references);
        Assert.Contains(new ProjectReferenceItem(ProjectFile("Predictor"), "Predictor", ReferenceKind.Project, "Eventing"), references);
        Assert.Contains(new ProjectReferenceItem(ProjectFile("Bindings"), "Bindings", ReferenceKind.Framework, AspNetCore), references);
        Assert.Contains(new ProjectReferenceItem(ProjectFile("Eventing"), "Eventing", ReferenceKind.Package, "YamlDotNet"), references);
        Assert.Contains(new ProjectReferenceItem("lab/Skylark.Events.Lab.csproj", "lab", ReferenceKind.Project, "Broker"), references);
        Assert.Contains(new ProjectReferenceItem("bench/Skylark.Events.Benchmarks.csproj", "bench", ReferenceKind.Project, "lab"), references);
        Assert.Contains(new ProjectReferenceItem(ProjectFile("Cli"), "Cli", ReferenceKind.Project, "bench"), references);
        Assert.Contains(new ProjectReferenceItem("fuzz/Skylark.Events.Fuzz.csproj", "fuzz", ReferenceKind.Project, "Bindings"), references);
    }

    [Fact]
    public void The_reader_resolves_project_paths_and_counts_the_web_sdk_as_asp_net_core()
    {
        using var scratch = new ScratchDirectory();
        var src = Directory.CreateDirectory(Path.Combine(scratch.Path, "src")).FullName;
        var file = "src/Functions/Alarm/Alarm.csproj";
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(src, "Functions", "Alarm")).FullName, "Alarm.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <ItemGroup>
                <ProjectReference Include="..\..\Topology\Topology.csproj" />
                <ProjectReference Include="../../Contracts/Contracts.csproj" />
                <PackageReference Include="MQTTnet" />
              </ItemGroup>
            </Project>
            """);

        var references = ProjectReferences.Read(src);

        ProjectReferenceItem[] expected =
        [
            new(file, "Functions/Alarm", ReferenceKind.Framework, AspNetCore),
            new(file, "Functions/Alarm", ReferenceKind.Project, "Topology"),
            new(file, "Functions/Alarm", ReferenceKind.Project, "Contracts"),
            new(file, "Functions/Alarm", ReferenceKind.Package, "MQTTnet"),
        ];
        Assert.Equal(expected, references);
        Assert.Contains("may not reference project Topology", Assert.Single(Layer.Violations(references, Table)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Predictor", ReferenceKind.Project, "Broker")] // a service on a service
    [InlineData("Broker", ReferenceKind.Project, "Predictor")]
    [InlineData("StateSink", ReferenceKind.Project, "Functions/Detect")]
    [InlineData("Functions/Alarm", ReferenceKind.Project, "Functions/Detect")]
    [InlineData("CameraIngest", ReferenceKind.Project, "Functions/Preprocess")] // the bridge on the function it feeds
    [InlineData("Functions/Alarm", ReferenceKind.Project, "CameraIngest")]
    [InlineData("Broker", ReferenceKind.Project, "Cli")] // a service on the host
    [InlineData("Broker", ReferenceKind.Project, "lab")] // a service on the lab
    [InlineData("Topology", ReferenceKind.Project, "lab")] // a library on the lab
    [InlineData("Predictor", ReferenceKind.Project, "bench")]
    [InlineData("lab", ReferenceKind.Project, "Cli")] // the lab on the host
    [InlineData("lab", ReferenceKind.Project, "bench")] // the lab on the benchmarks
    [InlineData("bench", ReferenceKind.Project, "Cli")]
    [InlineData("State", ReferenceKind.Project, "fuzz")] // a library on the fuzz harnesses
    [InlineData("fuzz", ReferenceKind.Project, "Cli")]
    [InlineData("fuzz", ReferenceKind.Project, "lab")]
    [InlineData("Functions/Detect", ReferenceKind.Project, "Topology")] // a function on the topology
    [InlineData("Eventing", ReferenceKind.Project, "Broker")] // a library on a service
    [InlineData("Eventing", ReferenceKind.Project, "State")] // a library on another library
    [InlineData("Contracts", ReferenceKind.Project, "Eventing")] // the bottom on anything
    [InlineData("Eventing", ReferenceKind.Framework, AspNetCore)]
    [InlineData("Topology", ReferenceKind.Package, "OpenCvSharp4")]
    [InlineData("Gateway", ReferenceKind.Project, "Contracts")] // a project the table does not place
    public void The_checker_rejects_a_forbidden_reference_and_names_it(string from, ReferenceKind kind, string to)
    {
        var reference = new ProjectReferenceItem($"src/{from}/{from}.csproj", from, kind, to);

        var violation = Assert.Single(Layer.Violations([reference], Table));

        Assert.Contains($"src/{from}/{from}.csproj: {from} ", violation, StringComparison.Ordinal);
        Assert.Contains($" {to}", violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Broker", ReferenceKind.Project, "Eventing")]
    [InlineData("Predictor", ReferenceKind.Project, "Eventing")]
    [InlineData("Predictor", ReferenceKind.Project, "Topology")]
    [InlineData("Functions/Alarm", ReferenceKind.Project, "State")]
    [InlineData("Functions/Alarm", ReferenceKind.Package, "MQTTnet")]
    [InlineData("Eventing", ReferenceKind.Project, "Contracts")]
    [InlineData("Cli", ReferenceKind.Project, "Predictor")]
    [InlineData("Cli", ReferenceKind.Project, "CameraIngest")]
    [InlineData("Cli", ReferenceKind.Project, "lab")]
    [InlineData("Cli", ReferenceKind.Project, "bench")]
    [InlineData("lab", ReferenceKind.Project, "Broker")]
    [InlineData("lab", ReferenceKind.Project, "Functions/Detect")]
    [InlineData("lab", ReferenceKind.Package, "OpenCvSharp4")]
    [InlineData("bench", ReferenceKind.Project, "lab")]
    [InlineData("bench", ReferenceKind.Project, "Predictor")]
    [InlineData("fuzz", ReferenceKind.Project, "Broker")]
    [InlineData("fuzz", ReferenceKind.Package, "SharpFuzz")]
    [InlineData("Cli", ReferenceKind.Project, "fuzz")]
    [InlineData("CameraIngest", ReferenceKind.Project, "State")]
    [InlineData("Bindings", ReferenceKind.Project, "Hosting")]
    public void The_checker_accepts_an_allowed_reference(string from, ReferenceKind kind, string to)
    {
        Assert.Empty(Layer.Violations([new ProjectReferenceItem($"src/{from}/{from}.csproj", from, kind, to)], Table));
    }

    private static string ProjectFile(string project) => $"src/{project}/Skylark.Events.{project}.csproj";
}

using System.CommandLine;
using System.Globalization;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Lab.Deploy;
using Skylark.Events.Lab.Up;
using Skylark.Events.Topology;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark deploy render --topology &lt;file&gt; [--mode …] [--serving …] [--registry &lt;prefix&gt;] [--tag &lt;t&gt;] --out &lt;dir&gt;</c>:
/// writes the manifests a Kubernetes cluster with Knative Serving and Eventing runs for a topology, one file per
/// concern and a kustomization.yaml (docs/cluster.md). Exit code 2 when the topology or eventing/ is invalid.
/// </summary>
public static class DeployCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "Topology YAML: its nodes are the cluster's nodes, by Kubernetes node name.", Required = true };
        var mode = new Option<string>("--mode") { Description = "skylark (predict + propagate), databelt, ondemand (pull when invoked) or central (all state in the cloud's Redis).", DefaultValueFactory = _ => "skylark" };
        mode.AcceptOnlyFromAmong([.. StateModes.Names]);
        var serving = new Option<string>("--serving") { Description = "How a function's events find an instance: locality-aware (one Knative Service per placement, routed by the node holding the event's state) or round-robin (one Knative Service per function with a pod on each of its nodes, Knative's own spreading).", DefaultValueFactory = _ => ServingPolicy.LocalityAware.Name() };
        serving.AcceptOnlyFromAmong(ServingPolicy.LocalityAware.Name(), ServingPolicy.RoundRobin.Name());
        var registry = new Option<string>("--registry") { Description = "Prefix of the images built from this repository (deploy/docker/Dockerfile).", DefaultValueFactory = _ => new DeployOptions("").Registry };
        var tag = new Option<string>("--tag") { Description = "Tag of those images.", DefaultValueFactory = _ => new DeployOptions("").Tag };
        var source = new Option<string>("--topology-source") { Description = "Where the StateSinks and the Predictor read the topology: file (a ConfigMap of --topology) or kubernetes (node labels and annotations, with the RBAC that needs).", DefaultValueFactory = _ => "file" };
        source.AcceptOnlyFromAmong("file", "kubernetes");
        var epoch = new Option<string>("--topology-epoch") { Description = "When the topology's first snapshot began (ISO 8601 with offset), so every service agrees which snapshot is current." };
        var cameras = new Option<string[]>("--camera") { Description = "A camera that may publish frames (an MQTT user of its own); repeatable.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "The folder to write the manifests to (created if missing).", Required = true };

        var render = new Command("render", "Write the Kubernetes and Knative manifests for a topology, with a kustomization.yaml for kubectl apply -k.")
        {
            topology, mode, serving, registry, tag, source, epoch, cameras, output,
        };
        render.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            DateTimeOffset? start = null;
            if (parse.GetValue(epoch) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    await error.WriteLineAsync($"deploy render: --topology-epoch '{text}' is not an ISO 8601 time such as 2026-12-05T10:00:00Z.");
                    return 2;
                }

                start = parsed;
            }

            var options = new DeployOptions(parse.GetRequiredValue(topology).FullName)
            {
                EventingPath = SkylarkHome.Path("eventing"),
                Mode = StateModes.Parse(parse.GetValue(mode)!),
                Serving = parse.GetValue(serving) == ServingPolicy.RoundRobin.Name() ? ServingPolicy.RoundRobin : ServingPolicy.LocalityAware,
                Registry = parse.GetValue(registry)!,
                Tag = parse.GetValue(tag)!,
                TopologySource = parse.GetValue(source) == "kubernetes" ? DeployTopologySource.Kubernetes : DeployTopologySource.File,
                TopologyEpoch = start,
                Cameras = parse.GetValue(cameras) ?? [],
            };

            RenderedManifests manifests;
            try
            {
                manifests = ManifestRenderer.Render(options);
            }
            catch (Exception e) when (e is TopologyValidationException or ResourceValidationException or ArgumentException or IOException)
            {
                await error.WriteLineAsync($"deploy render: {e.Message}");
                return 2;
            }

            var folder = parse.GetRequiredValue(output).FullName;
            await manifests.WriteAsync(folder, cancellationToken);
            var console = parse.InvocationConfiguration.Output;
            await console.WriteLineAsync($"Wrote {manifests.Resources.Count()} resources in {manifests.Files.Count} files to {folder}.");
            if (manifests.NodeScript is not null)
            {
                await console.WriteLineAsync($"The topology comes from the nodes: declare it with sh {Path.Combine(folder, RenderedManifests.NodeScriptFile)}.");
            }

            await console.WriteLineAsync($"Next: sh {Path.Combine(folder, RenderedManifests.SecretScript)}, then kubectl apply -k {folder} (docs/cluster.md).");
            return 0;
        });

        return new Command("deploy", "Deploy to a Kubernetes cluster with Knative.") { render };
    }
}

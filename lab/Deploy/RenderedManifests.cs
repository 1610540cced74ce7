using System.Text;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Lab.Deploy;

/// <summary>One resource of the rendered set, with the YAML document it is written as.</summary>
/// <param name="ApiVersion">e.g. <c>apps/v1</c>, <c>serving.knative.dev/v1</c>.</param>
/// <param name="Kind">e.g. <c>Deployment</c>, <c>Trigger</c>.</param>
/// <param name="Name">The resource's name in its namespace.</param>
/// <param name="Namespace">Null for a cluster-scoped resource.</param>
/// <param name="Yaml">The one YAML document it is written as.</param>
public sealed record RenderedResource(string ApiVersion, string Kind, string Name, string? Namespace, string Yaml);

/// <summary>One file of the rendered set: the resources of one concern.</summary>
public sealed record ManifestFile(string Name, IReadOnlyList<RenderedResource> Resources)
{
    /// <summary>The resources' documents, separated by <c>---</c>.</summary>
    public string Text => string.Join("---\n", Resources.Select(r => r.Yaml.EndsWith('\n') ? r.Yaml : r.Yaml + "\n"));
}

/// <summary>
/// A Secret kustomize generates from files the operator creates (<c>secrets/&lt;name&gt;/&lt;key&gt;</c>), so no
/// password is ever rendered or committed; <c>secrets/generate.sh</c> fills in the missing ones with random values.
/// </summary>
public sealed record GeneratedSecret(string Name, IReadOnlyList<string> Keys)
{
    public string FileOf(string key) => $"secrets/{Name}/{key}";
}

/// <summary>
/// Everything <c>skylark deploy render</c> produces, in memory: the files (one per concern), the Secrets kustomize
/// generates, and the Knative eventing resources as a model (what a local runtime can serve as the cluster would).
/// </summary>
public sealed record RenderedManifests(IReadOnlyList<ManifestFile> Files, IReadOnlyList<GeneratedSecret> Secrets, EventingModel Eventing)
{
    public const string KustomizationFile = "kustomization.yaml";

    public const string SecretScript = "secrets/generate.sh";

    public IEnumerable<RenderedResource> Resources => Files.SelectMany(f => f.Resources);

    public const string NodeScriptFile = "label-nodes.sh";

    /// <summary>With the topology from the Kubernetes API: the labels and annotations each node must carry; empty otherwise.</summary>
    public IReadOnlyList<NodeDeclaration> NodeDeclarations { get; init; } = [];

    /// <summary>The kubectl script applying <see cref="NodeDeclarations"/>; null when there are none.</summary>
    public string? NodeScript { get; init; }

    /// <summary>The images the workloads run, each once.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>The kustomization: every file, and the Secrets generated from the operator's files under fixed names.</summary>
    public string Kustomization()
    {
        var text = new StringBuilder()
            .Append("# Rendered by skylark deploy render. Create the secret files first (sh secrets/generate.sh), then kubectl apply -k .\n")
            .Append("apiVersion: kustomize.config.k8s.io/v1beta1\n")
            .Append("kind: Kustomization\n")
            .Append("resources:\n");
        foreach (var file in Files)
        {
            text.Append("  - ").Append(file.Name).Append('\n');
        }

        if (Secrets.Count > 0)
        {
            // Fixed names: the manifests refer to the Secrets by name, and a rotated password is rolled out by
            // restarting the pods (docs/security.md), not by a new Secret name.
            text.Append("generatorOptions:\n  disableNameSuffixHash: true\nsecretGenerator:\n");
            foreach (var secret in Secrets)
            {
                text.Append("  - name: ").Append(secret.Name).Append('\n')
                    .Append("    namespace: ").Append(ManifestRenderer.Namespace).Append('\n')
                    .Append("    files:\n");
                foreach (var key in secret.Keys)
                {
                    text.Append("      - ").Append(key).Append('=').Append(secret.FileOf(key)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <summary>A script creating each secret file that does not exist yet with 24 random bytes (URL-safe base64), mode 0600.</summary>
    public string SecretScriptText()
    {
        var text = new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append("# Creates the secret files kustomization.yaml reads, keeping any that exist (so rerunning never rotates a password).\n")
            .Append("# Keep this folder out of version control.\n")
            .Append("set -eu\n")
            .Append("cd \"$(dirname \"$0\")/..\"\n")
            .Append("umask 077\n")
            .Append("for file in");
        foreach (var secret in Secrets)
        {
            foreach (var key in secret.Keys)
            {
                text.Append(" \\\n  ").Append(secret.FileOf(key));
            }
        }

        return text
            .Append("; do\n")
            .Append("  if [ ! -s \"$file\" ]; then\n")
            .Append("    mkdir -p \"$(dirname \"$file\")\"\n")
            .Append("    head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\\n' > \"$file\"\n")
            .Append("  fi\n")
            .Append("done\n")
            .ToString();
    }

    /// <summary>
    /// Writes every file, <see cref="KustomizationFile"/>, <see cref="SecretScript"/> and any <see cref="NodeScriptFile"/> into <paramref name="folder"/>
    /// (created if missing), replacing rendered files but never an existing secret.
    /// </summary>
    public async Task WriteAsync(string folder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(Path.Combine(folder, "secrets"));
        foreach (var file in Files)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, file.Name), file.Text, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(Path.Combine(folder, KustomizationFile), Kustomization(), cancellationToken).ConfigureAwait(false);
        if (NodeScript is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, NodeScriptFile), NodeScript, cancellationToken).ConfigureAwait(false);
        }

        var script = Path.Combine(folder, SecretScript);
        await File.WriteAllTextAsync(script, SecretScriptText(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "secrets", ".gitignore"), "# Passwords: never committed.\n*\n!generate.sh\n!.gitignore\n", cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }
}

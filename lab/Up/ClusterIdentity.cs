using Skylark.Events.Contracts;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Hosting;
using Skylark.Events.Identity;
using Skylark.Events.Lab.Hosting;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// Who is who in a <c>skylark up</c> cluster: a local OIDC issuer (its signing key 0600 in the work directory's
/// <c>identity/</c>) serving discovery, its keys and <c>POST /token</c>, and one identity token per service, written to a
/// 0600 file the service reads as a pod reads its projected service-account token. Subjects take Kubernetes' form
/// (<c>system:serviceaccount:skylark:&lt;identity&gt;</c>), so the shipped EventPolicies mean the same here and on a
/// cluster. Tokens are renewed well before they expire, files rewritten in place.
/// </summary>
public sealed class ClusterIdentity : IAsyncDisposable
{
    public const string Operator = "operator";
    public const string Predictor = "predictor";
    public const string CameraIngest = "camera-ingest";
    public const string Broker = "broker";

    /// <summary>How long an issued identity token is valid; they are renewed at half of it.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(24);

    private readonly LocalTokenIssuer issuer;
    private readonly LocalWebApp app;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> audiences;
    private readonly string tokenDirectory;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task renewing;
    private IReadOnlyDictionary<string, string> tokens = new Dictionary<string, string>();

    private ClusterIdentity(LocalTokenIssuer issuer, LocalWebApp app, IReadOnlyDictionary<string, IReadOnlyList<string>> audiences, string tokenDirectory)
    {
        this.issuer = issuer;
        this.app = app;
        this.audiences = audiences;
        this.tokenDirectory = tokenDirectory;
        IssueAll();
        renewing = RenewAsync(stopping.Token);
    }

    /// <summary>The issuer's URL: what receivers trust (<c>--oidc-issuer</c>) and where the broker asks for its Triggers' tokens.</summary>
    public Uri Issuer => issuer.Issuer;

    /// <summary>Every identity's current token, by identity (the endpoints file's <c>tokens</c>).</summary>
    public IReadOnlyDictionary<string, string> Tokens => tokens;

    /// <summary>The identity of node <paramref name="node"/>'s StateSink.</summary>
    public static string StateSinkOf(string node) => $"statesink-{node}";

    /// <summary>The OIDC subject of <paramref name="identity"/>, as Kubernetes names a service account.</summary>
    public static string SubjectOf(string identity) => OidcIdentity.Subject(SkylarkDefaults.Namespace, identity);

    /// <summary>The file holding <paramref name="identity"/>'s token (<c>--token-file</c>).</summary>
    public string TokenFileOf(string identity) =>
        audiences.ContainsKey(identity)
            ? Path.Combine(tokenDirectory, identity)
            : throw new ArgumentException($"'{identity}' is not an identity of this cluster; there are {string.Join(", ", audiences.Keys)}.", nameof(identity));

    /// <summary>Starts the issuer on 127.0.0.1 and issues every identity of <paramref name="plan"/> its token.</summary>
    public static async Task<ClusterIdentity> StartAsync(ClusterPlan plan, string workDirectory, LogLevel logLevel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var directory = Path.Combine(workDirectory, "identity");
        OwnerOnlyFiles.CreateFolder(directory);
        var tokenDirectory = Path.Combine(directory, "tokens");
        OwnerOnlyFiles.CreateFolder(tokenDirectory);

        // The issuer's URL is in every token, so its port is chosen before the key is loaded and the app started.
        var port = ReservedPorts.Reserve();
        var issuer = LocalTokenIssuer.CreateOrLoad(directory, new Uri($"http://127.0.0.1:{port}"));
        LocalWebApp? app = null;
        try
        {
            var policy = BrokerMayActAs(plan);
            app = await LocalWebApp.StartAsync(
                "identity",
                _ => { },
                web => web.MapTokenIssuer(issuer, policy),
                port: port,
                minimumLogLevel: logLevel,
                cancellationToken: cancellationToken);
            return new ClusterIdentity(issuer, app, AudiencesOf(plan, issuer.Name), tokenDirectory);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            issuer.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        try
        {
            await renewing;
        }
        catch (OperationCanceledException)
        {
            // Stopping is what cancels it.
        }

        await app.DisposeAsync();
        issuer.Dispose();
        stopping.Dispose();
    }

    /// <summary>
    /// Which receivers each identity may address. Functions reach the broker and any node's StateSink (each asks its own
    /// node's to pull an input); the operator reaches everything; the broker only the issuer, for its Triggers' tokens.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<string>> AudiencesOf(ClusterPlan plan, string issuerName)
    {
        var sinks = plan.Topology.Nodes.Select(n => SkylarkAudiences.StateSink(n.Name)).ToList();
        var broker = SkylarkAudiences.DefaultBroker;
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            [Operator] = [broker, SkylarkAudiences.StateSinks, .. sinks],
            [Predictor] = [broker],
            [CameraIngest] = [broker],
            [Broker] = [issuerName],
        };
        foreach (var node in plan.Topology.Nodes)
        {
            result[StateSinkOf(node.Name)] = [broker];
        }

        foreach (var function in plan.Instances.Where(i => i.IsFunction).Select(i => i.Deployable).Distinct(StringComparer.Ordinal))
        {
            result[function] = [broker, .. sinks];
        }

        return result;
    }

    /// <summary>The broker may obtain tokens for the identities Knative gives its Triggers and PingSources, and nobody else's.</summary>
    private static TokenRequestPolicy BrokerMayActAs(ClusterPlan plan)
    {
        var model = plan.BrokerModel;
        var subjects = model.Triggers
            .Select(t => OidcIdentity.SubjectFor(PolicyReceiver.EventingGroup, "Trigger", t.Meta.Namespace, t.Meta.Name))
            .Concat(model.PingSources.Select(p => OidcIdentity.SubjectFor("sources.knative.dev", "PingSource", p.Meta.Namespace, p.Meta.Name)))
            .ToHashSet(StringComparer.Ordinal);
        var broker = SubjectOf(Broker);
        return TokenRequestPolicy.From((caller, subject) => caller == broker && subjects.Contains(subject));
    }

    private void IssueAll()
    {
        var issued = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (identity, receivers) in audiences)
        {
            var token = issuer.Issue(SubjectOf(identity), receivers, TokenLifetime);
            var path = Path.Combine(tokenDirectory, identity);
            var temporary = path + ".tmp";
            using (var file = OwnerOnlyFiles.Open(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(file))
            {
                writer.Write(token);
            }

            // Renamed into place, as the kubelet swaps a projected token: a reader sees the old token or the new one.
            File.Move(temporary, path, overwrite: true);
            issued[identity] = token;
        }

        tokens = issued;
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TokenLifetime / 2);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            IssueAll();
        }
    }
}

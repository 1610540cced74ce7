using Skylark.Events.Broker.Journal;
using Skylark.Events.Eventing.Policies;
using Skylark.Events.Eventing.Resources;
using Skylark.Events.Hosting;
using Skylark.Events.Identity;

namespace Skylark.Events.Broker;

/// <summary>
/// The standalone broker's settings, by the service contract (docs/configuration.md): the Knative resources it
/// serves (<c>--eventing</c>), the durable journal's folder and whether to repair it, the URLs of the Services its
/// Triggers name, whose senders' tokens it trusts and who may send without a policy, and where it gets the tokens its
/// Triggers and PingSources deliver with.
/// </summary>
public static class BrokerSettings
{
    public static readonly Setting JournalSetting = new("journal", "The folder of the durable event journal: 202 only once an event is on disk, and a restart delivers what was owed (docs/journal.md).");

    public static readonly Setting JournalRepairSetting = new("journal-repair", "With --journal: start on a journal damaged other than by a torn tail, moving the damaged bytes to a quarantine file beside the segment and recovering every intact record (true or false; default false: such a journal stops the start).");

    public static readonly Setting ServicesSetting = new("services", "URLs of the Services Triggers and PingSources name by ref, as <name>=<url>, comma-separated; unnamed ones resolve to Knative's <name>.<namespace>.svc.cluster.local.");

    public static readonly Setting TokenIssuerSetting = new("token-issuer", "The issuer that grants the broker tokens as its Triggers' and PingSources' identities (the local issuer of skylark up), so deliveries to a destination with an audience carry one; needs --token-file, the broker's own token it asks with.");

    /// <summary>Reads the settings and loads the resources into a configure action.</summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed, or the resources do not validate.</exception>
    public static Action<BrokerOptions> Read(IConfiguration configuration, ILogger? logger = null)
    {
        var settings = new ServiceConfiguration(configuration);
        var eventing = settings.List(CommonSettings.Eventing);
        if (eventing.Count == 0)
        {
            settings.Problem(CommonSettings.Eventing, "is required: the Broker, Trigger and PingSource YAML to serve");
        }

        var journal = settings.Get(JournalSetting);
        var repair = settings.Boolean(JournalRepairSetting);
        if (repair is not null && journal is null)
        {
            settings.Problem(JournalRepairSetting, $"needs {JournalSetting.Display}: there is no journal to repair");
        }

        var services = settings.UrlMap(ServicesSetting);
        var verification = SenderIdentitySettings.ReadVerification(settings);
        var mode = settings.OneOf(
            SenderIdentitySettings.AuthorizationMode,
            AuthorizationModes.AllowSameNamespaceText,
            AuthorizationModes.AllowAllText,
            AuthorizationModes.DenyAllText);
        var tokenFile = settings.Get(SenderIdentitySettings.TokenFile);
        var node = settings.Get(CommonSettings.Node);
        var tokenIssuer = settings.Url(TokenIssuerSetting);
        if (tokenIssuer is not null && tokenFile is null)
        {
            settings.Problem(TokenIssuerSetting, $"needs {SenderIdentitySettings.TokenFile.Display}: the broker asks the issuer with its own token");
        }

        EventingModel? model = null;
        if (eventing.Count > 0)
        {
            try
            {
                model = ResourceLoader.Load(eventing, logger);
            }
            catch (Exception error) when (error is ResourceValidationException or IOException or UnauthorizedAccessException)
            {
                settings.Problem(CommonSettings.Eventing, $"names resources that do not load: {error.Message.ReplaceLineEndings(" ")}");
            }
        }

        settings.ThrowIfInvalid();
        return options =>
        {
            options.Model = model!;
            verification(options.Verification);
            options.DefaultAuthorization = mode is null ? options.DefaultAuthorization : AuthorizationModes.Parse(mode);
            options.TokenIssuer = tokenIssuer ?? options.TokenIssuer;
            options.TokenFile = tokenFile ?? options.TokenFile;
            options.Node = node ?? options.Node;
            if (journal is not null)
            {
                options.Journal = new JournalOptions { Directory = journal, Repair = repair ?? false };
            }

            foreach (var (name, url) in services)
            {
                options.Services[name] = url;
            }
        };
    }
}

using CloudNative.CloudEvents;
using Skylark.Events.Eventing.Filters;
using Skylark.Events.Eventing.Resources;

namespace Skylark.Events.Predictor.Triggers;

/// <summary>
/// The functions the broker will invoke for an event, found by evaluating the loaded Triggers' own filters against
/// it: exactly the broker's routing decision, so a detect completion with <c>detected: "false"</c> yields no alarm.
/// A Trigger's subscriber ref name is the function (Knative Service) it invokes.
/// </summary>
public sealed class TriggerSuccessors
{
    private readonly Route[] _routes;

    /// <param name="model">Loaded eventing resources.</param>
    /// <param name="broker">Only Triggers of this Broker route the events the Predictor sees.</param>
    /// <param name="ignoredSubscribers">Subscribers that are not workflow steps, such as the Predictor itself.</param>
    /// <param name="brokerNamespace">Namespace of <paramref name="broker"/>.</param>
    /// <exception cref="ArgumentException">A Trigger's filter is invalid; the message names it.</exception>
    public TriggerSuccessors(EventingModel model, string broker, IEnumerable<string> ignoredSubscribers, string brokerNamespace)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(broker);
        ArgumentNullException.ThrowIfNull(ignoredSubscribers);
        var ignored = new HashSet<string>(ignoredSubscribers, StringComparer.Ordinal);
        var routes = new List<Route>();
        var skipped = new List<string>();
        foreach (var trigger in model.Triggers)
        {
            if (trigger.Broker != broker || trigger.Meta.Namespace != brokerNamespace)
            {
                continue;
            }

            if (trigger.Subscriber.Ref is not { } reference)
            {
                // A bare URI names no function the Predictor could place state for.
                skipped.Add(trigger.Meta.Name);
                continue;
            }

            if (ignored.Contains(reference.Name))
            {
                continue;
            }

            routes.Add(new Route(trigger.Meta.Name, reference.Name, TriggerFilters.Create(trigger)));
        }

        _routes = [.. routes];
        SkippedTriggers = skipped;
        Functions = routes.Select(r => r.Function).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every function some Trigger may invoke.</summary>
    public IReadOnlyList<string> Functions { get; }

    /// <summary>Triggers whose subscriber is a URI rather than a ref, so they name no function.</summary>
    public IReadOnlyList<string> SkippedTriggers { get; }

    /// <summary>
    /// Distinct functions whose Trigger delivers <paramref name="cloudEvent"/>, in Trigger order. Several Triggers
    /// invoking the same function count once: the state has to be there either way.
    /// </summary>
    public IReadOnlyList<string> For(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        List<string>? functions = null;
        foreach (var route in _routes)
        {
            if (route.Filter.Filter(cloudEvent).Delivers())
            {
                functions ??= [];
                if (!functions.Contains(route.Function, StringComparer.Ordinal))
                {
                    functions.Add(route.Function);
                }
            }
        }

        return functions ?? (IReadOnlyList<string>)[];
    }

    private sealed record Route(string Trigger, string Function, IEventFilter Filter);
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using Skylark.Events.Broker;
using Skylark.Events.Broker.Resources;
using Skylark.Events.Cli.Hosting;
using Skylark.Events.Contracts;
using Skylark.Events.Contracts.Http;

namespace Skylark.Events.Cli.Commands;

/// <summary>
/// <c>skylark demo</c>: the embedded broker runs the project's <c>eventing/</c> YAML unchanged, and one camera frame is
/// pushed through it. Stand-in subscribers play the Knative Services the Triggers name and reply the way the
/// functions do, so the trace shows Trigger routing, replies re-ingested into the broker, and the filters
/// (detect → alarm only on <c>detected: "true"</c>; the predictor sees every completion).
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var eventing = new Option<DirectoryInfo>("--eventing") { Description = "Knative YAML to run (default: the checkout's eventing/)." };
        var command = new Command("demo", "Start the broker on eventing/ and push a sample camera frame through it.") { eventing };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(eventing)?.FullName ?? SkylarkHome.Path("eventing"), ct));
        return command;
    }

    private static async Task<int> RunAsync(string eventingPath, CancellationToken ct)
    {
        var output = Console.Out;
        EventingModel model;
        try
        {
            model = ResourceLoader.Load([eventingPath]);
        }
        catch (ResourceValidationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Loaded {eventingPath}: {model.Brokers.Count} broker(s), {model.Triggers.Count} trigger(s), {model.PingSources.Count} ping source(s)."));

        var trace = new DemoTrace(Stopwatch.StartNew());
        await using var subscribers = await LocalWebApp.StartAsync("demo-subscribers", _ => { }, app =>
            app.MapPost("/{service}", (string service, HttpRequest request, HttpResponse response, CancellationToken token) =>
                StandInAsync(service, request, response, trace, token)), cancellationToken: ct);

        await using var broker = await LocalWebApp.StartAsync("broker", services => services.AddBroker(options =>
        {
            options.Model = model;
            foreach (var name in ServiceNames(model))
            {
                options.Services[name] = new Uri(subscribers.Url, name);
            }
        }), app => app.MapBroker(), cancellationToken: ct);

        var ingress = new Uri(broker.Url, $"{SkylarkDefaults.Namespace}/{SkylarkDefaults.Broker}");
        await output.WriteLineAsync($"Broker ingress: {ingress}\nStand-in subscribers: {subscribers.Url}\n");

        var frame = SampleFrame();
        using var client = new HttpClient();
        using var content = frame.ToHttpContent(ContentMode.Binary, RawDataJsonEventFormatter.Instance);
        using var accepted = await client.PostAsync(ingress, content, ct);
        trace.Add("client", $"POST {frame.Type} → {(int)accepted.StatusCode} {accepted.StatusCode}");
        if (!accepted.IsSuccessStatusCode)
        {
            await Console.Error.WriteLineAsync(await accepted.Content.ReadAsStringAsync(ct));
            return 1;
        }

        // preprocess, detect, alarm and two completions at the predictor: five deliveries end the walk-through.
        var done = await trace.WaitForAsync(deliveries: 5, TimeSpan.FromSeconds(15), ct);
        foreach (var line in trace.Lines)
        {
            await output.WriteLineAsync(line);
        }

        await output.WriteLineAsync(done
            ? "\nThe frame went camera → preprocess → detect → alarm, and the predictor saw both completions."
            : "\nThe walk-through did not complete within 15 s; see the trace above.");
        return done ? 0 : 1;
    }

    private static IEnumerable<string> ServiceNames(EventingModel model) =>
        model.Triggers.Select(t => t.Subscriber.Ref)
            .Concat(model.Triggers.Select(t => t.Delivery?.DeadLetterSink?.Ref))
            .Concat(model.Brokers.Select(b => b.Delivery?.DeadLetterSink?.Ref))
            .OfType<KReference>()
            .Where(r => r.Kind == "Service")
            .Select(r => r.Name)
            .Distinct(StringComparer.Ordinal);

    private static CloudEvent SampleFrame()
    {
        var workflow = "demo-" + Guid.NewGuid().ToString("N")[..8];
        var frame = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.CameraFrame,
            Source = EventSources.Camera("cam-1"),
            Time = DateTimeOffset.UtcNow,
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes($$"""{"camera":"cam-1","seq":1,"width":640,"height":480,"capturedAt":"{{DateTimeOffset.UtcNow:O}}"}"""),
        };
        frame[ExtensionNames.WorkflowId] = workflow;
        frame[ExtensionNames.Camera] = "cam-1";
        frame[ExtensionNames.StateKey] = $"edge-1/{workflow}/ingest.frame";
        frame[ExtensionNames.StateNode] = "edge-1";
        return frame;
    }

    /// <summary>What each function's stand-in answers: the reply event a real function would send back.</summary>
    private static async Task StandInAsync(string service, HttpRequest request, HttpResponse response, DemoTrace trace, CancellationToken ct)
    {
        CloudEvent received;
        try
        {
            received = await request.ReadCloudEventAsync(RawDataJsonEventFormatter.Instance, ct);
        }
        catch (InvalidCloudEventException e)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync(e.Message, ct);
            return;
        }

        var function = received[ExtensionNames.Function] as string;
        trace.Add(service, $"received {received.Type}{(function is null ? "" : $" from {function}")}{Detected(received)}", delivery: true);
        CloudEvent? reply = service switch
        {
            "preprocess" => Completed(received, "preprocess", detected: null),
            "detect" => Completed(received, "detect", detected: "true"),
            "alarm" => AlarmRaised(received),
            _ => null,
        };

        if (reply is null)
        {
            response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        trace.Add(service, $"replies {reply.Type}{Detected(reply)}");
        await reply.CopyToHttpResponseAsync(response, ContentMode.Binary, RawDataJsonEventFormatter.Instance, ct);
    }

    private static string Detected(CloudEvent e) => e[ExtensionNames.Detected] is string d ? $" (detected={d})" : "";

    private static CloudEvent Completed(CloudEvent cause, string function, string? detected)
    {
        var workflow = (string)cause[ExtensionNames.WorkflowId]!;
        var completed = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.FunctionCompleted,
            Source = EventSources.Function(function),
            Time = DateTimeOffset.UtcNow,
            DataContentType = "application/json",
            Data = Encoding.UTF8.GetBytes($$"""{"standIn":true,"function":"{{function}}"}"""),
        };
        completed[ExtensionNames.WorkflowId] = workflow;
        completed[ExtensionNames.Function] = function;
        completed[ExtensionNames.Node] = "edge-1";
        completed[ExtensionNames.StateKey] = $"edge-1/{workflow}/{function}.result";
        completed[ExtensionNames.StateNode] = "edge-1";
        if (detected is not null)
        {
            completed[ExtensionNames.Detected] = detected;
        }

        return completed;
    }

    private static CloudEvent AlarmRaised(CloudEvent cause)
    {
        var raised = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Type = EventTypes.AlarmRaised,
            Source = EventSources.Alarm,
            Time = DateTimeOffset.UtcNow,
        };
        raised[ExtensionNames.WorkflowId] = cause[ExtensionNames.WorkflowId];
        raised[ExtensionNames.Camera] = "cam-1";
        return raised;
    }

    private sealed class DemoTrace(Stopwatch clock)
    {
        private readonly Lock gate = new();
        private readonly List<string> lines = [];
        private readonly SemaphoreSlim deliveries = new(0);

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (gate)
                {
                    return [.. lines];
                }
            }
        }

        public void Add(string who, string what, bool delivery = false)
        {
            lock (gate)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalMilliseconds,7:F1} ms  {who,-12} {what}"));
            }

            if (delivery)
            {
                deliveries.Release();
            }
        }

        public async Task<bool> WaitForAsync(int deliveries, TimeSpan timeout, CancellationToken ct)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            try
            {
                for (var i = 0; i < deliveries; i++)
                {
                    await this.deliveries.WaitAsync(cts.Token);
                }

                return true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}

using Skylark.Events.Broker;
using Skylark.Events.Broker.Journal;
using Skylark.Events.Tests.Support;

namespace Skylark.Events.Tests.Broker.Journal;

/// <summary>A fresh journal folder under the temp directory, deleted afterwards; opens real <see cref="EventJournal"/>s on it.</summary>
internal sealed class JournalFolder : IDisposable
{
    private readonly ILoggerFactory loggerFactory;

    public JournalFolder()
    {
        loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "skylark-journal-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public RecordingLoggerProvider Logs { get; } = new();

    public IReadOnlyList<string> Segments => JournalFormat.Segments(Path);

    public JournalOptions Options(Action<JournalOptions>? configure = null)
    {
        var options = new JournalOptions { Directory = Path };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Opens (and recovers) the journal as the broker would at startup.</summary>
    public (EventJournal Journal, JournalScan Scan) Open(Action<JournalOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var journal = new EventJournal(
            Microsoft.Extensions.Options.Options.Create(new BrokerOptions { Journal = Options(configure) }),
            timeProvider ?? TimeProvider.System,
            new Logger<EventJournal>(loggerFactory));
        return (journal, journal.Open());
    }

    public void Dispose()
    {
        loggerFactory.Dispose();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be letting go of a file; the temp folder is cleaned eventually.
        }
    }
}

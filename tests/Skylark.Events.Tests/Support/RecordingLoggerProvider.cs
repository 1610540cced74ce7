using System.Collections.Concurrent;

namespace Skylark.Events.Tests.Support;

/// <summary>One log entry: its level, category, rendered message and structured values.</summary>
public sealed record LogEntry(LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception);

/// <summary>Keeps every log entry in memory so tests can check what was logged and with which structured values.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
                : new Dictionary<string, object?>();
            entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception), values, exception));
        }
    }
}

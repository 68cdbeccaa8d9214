using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Comp.Api.Tests.Reliability;

/// <summary>One log entry as a provider saw it: the formatted line, its state's values, its exception and the request's activity.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string State, Exception? Exception, string? ActivityId)
{
    /// <summary>Everything the entry carries as text, for searching.</summary>
    public string Text => $"{Category} {Level} {Message} {State} {Exception}";
}

/// <summary>Collects every log entry and scope of the host it is added to, at the levels its filters let through.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        /// <summary>Scopes carry data too (request path, trace id…): each is captured as an entry of its own.</summary>
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            capture.Entries.Enqueue(new CapturedLog(category, LogLevel.None, "scope: " + state, Values(state), null, Activity.Current?.Id));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            capture.Entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), Values(state), exception, Activity.Current?.Id));
        }

        private static string Values<TState>(TState state) =>
            state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")) : state?.ToString() ?? "";
    }
}

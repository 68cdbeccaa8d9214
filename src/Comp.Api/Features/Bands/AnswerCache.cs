using System.Collections.Concurrent;
using Comp.Api.Auth;
using Comp.Api.Features.Bands.Engine;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Comp.Api.Features.Bands;

/// <summary>
/// Band answers already made, by their ETag. The tag names the representation exactly (the band
/// index's content, the tier's rules, the day, the route, query, body and Accept: see
/// <see cref="BandETagFilter"/>), which is what lets a client's If-None-Match skip the work; the
/// same tag lets the service skip it too, and send the bytes it sent before. Only answers read from
/// the band index are kept (its content token changes with every write it takes in), within
/// <see cref="BandLimits.AnswerCacheMegabytes"/>; past that the cache starts again empty. A
/// request with <c>Cache-Control: no-cache</c> is computed afresh (the benchmark measures the
/// engine that way). An answer served again costs its caller what it cost when it was made.
/// </summary>
public sealed class AnswerCache(IOptionsMonitor<BandLimits> limits)
{
    public sealed record Entry(string? ContentType, string? ContentDisposition, byte[] Body, long Rows);

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Entry?>> making = new(StringComparer.Ordinal);
    private long bytes;
    private long hits;
    private long misses;

    public long Hits => Interlocked.Read(ref hits);
    public long Misses => Interlocked.Read(ref misses);
    public int Count => entries.Count;

    private long Capacity => (long)Math.Max(0, limits.CurrentValue.AnswerCacheMegabytes) << 20;

    public static bool Bypassed(HttpRequest request) =>
        request.Headers.CacheControl.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase);

    public bool TryGet(string etag, out Entry entry)
    {
        if (entries.TryGetValue(etag, out entry!))
        {
            Interlocked.Increment(ref hits);
            return true;
        }
        Interlocked.Increment(ref misses);
        return false;
    }

    /// <summary>
    /// Whether this request makes the answer under <paramref name="etag"/> (true: it must end with <see cref="Done"/>),
    /// or another request is making it right now (false: <paramref name="made"/> gives its entry, null if it made none).
    /// Requests that miss the cache together (the first after a write, many connections asking the same thing) then
    /// compute the answer once, not once each.
    /// </summary>
    public bool Lead(string etag, out Task<Entry?> made)
    {
        var mine = new TaskCompletionSource<Entry?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = making.GetOrAdd(etag, mine);
        made = current.Task;
        return ReferenceEquals(current, mine);
    }

    /// <summary>Ends a <see cref="Lead"/>: the requests waiting get <paramref name="entry"/> (null: they make their own).</summary>
    public void Done(string etag, Task<Entry?> made, Entry? entry)
    {
        if (making.TryGetValue(etag, out var source) && ReferenceEquals(source.Task, made))
        {
            making.TryRemove(new KeyValuePair<string, TaskCompletionSource<Entry?>>(etag, source));
            source.TrySetResult(entry);
        }
    }

    public void Add(string etag, Entry entry)
    {
        var capacity = Capacity;
        if (entry.Body.Length > capacity / 16)
            return;
        if (Interlocked.Add(ref bytes, entry.Body.Length) > capacity)
        {
            // Mostly answers of index contents that have moved on: start again rather than track recency on every hit.
            entries.Clear();
            Interlocked.Exchange(ref bytes, entry.Body.Length);
        }
        if (!entries.TryAdd(etag, entry))
            Interlocked.Add(ref bytes, -entry.Body.Length);
    }

    /// <summary>The answer made before: its bytes, and its rows for the caller's work budget.</summary>
    public static IResult Replay(Entry entry) => new ReplayResult(entry);

    /// <summary>
    /// Runs <paramref name="inner"/> into memory, keeps the bytes under <paramref name="etag"/> when it is a 200 read from
    /// the index, then sends them; ends the request's <see cref="Lead"/> (<paramref name="made"/>) either way.
    /// </summary>
    public IResult Keep(IResult inner, string etag, IBandStore store, Task<Entry?> made) => new KeepResult(this, inner, etag, store, made);

    private sealed class ReplayResult(Entry entry) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.RequestServices.GetRequiredService<WorkMeter>().CountRows(entry.Rows);
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = entry.ContentType;
            if (entry.ContentDisposition is { } disposition)
                response.Headers.ContentDisposition = disposition;
            response.ContentLength = entry.Body.Length;
            return response.Body.WriteAsync(entry.Body, http.RequestAborted).AsTask();
        }
    }

    private sealed class KeepResult(AnswerCache cache, IResult inner, string etag, IBandStore store, Task<Entry?> made) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            Entry? entry = null;
            var original = http.Features.Get<IHttpResponseBodyFeature>()!;
            using var buffer = new MemoryStream();
            try
            {
                http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer));
                try
                {
                    await inner.ExecuteAsync(http);
                }
                finally
                {
                    http.Features.Set(original);
                }
                var response = http.Response;
                if (response.StatusCode == StatusCodes.Status200OK && store.ReadFromSource == ReadFrom.Memory)
                {
                    entry = new Entry(response.ContentType, response.Headers.ContentDisposition.ToString() is { Length: > 0 } d ? d : null,
                        buffer.ToArray(), http.RequestServices.GetRequiredService<WorkMeter>().Rows);
                    cache.Add(etag, entry);
                }
            }
            finally
            {
                cache.Done(etag, made, entry);
            }
            http.Response.ContentLength = buffer.Length;
            buffer.Position = 0;
            await buffer.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }
}

using Comp.Api.Contracts;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Comp.Api.Features.Bands;

/// <summary>
/// ETags for band answers: a hash of the dataset version and the oldest running transaction (so a
/// tag taken while a write was in flight changes when it commits), the rules in force for the caller's
/// tier (methodology, which differs between the exact and the protected tier), the taxonomy that
/// validates and expands the query (roles, levels, regions, rated currencies, industries and employer attributes), the
/// day (confidence grades age), and the request (route, query, body, Accept). It runs before the
/// parameters are validated: a matching If-None-Match answers 304, and an answer already made under
/// the same tag (so to a request that was valid) is sent again from the <see cref="AnswerCache"/>,
/// without validating or computing anything again. A request naming a peer group the caller may
/// not use skips both: its tag and answer are its owner's, so it goes on to the validation's 400.
/// </summary>
public sealed class BandETagFilter(BandService bands, AnswerCache answers, IBandStore store, ITaxonomy taxonomy, EmployerDirectory employers, TimeProvider clock) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        // A peerGroup is in the request, so in the tag, but whether it may be used depends on the caller, and
        // a deleted group's id answers 400 from then on: neither a 304 nor a cached answer may skip that check.
        // (Ids are never reused, and a rule group's membership moves with the employer attributes in the taxonomy digest.)
        foreach (var peerGroup in PeerGroupsOf(context.Arguments))
        {
            if (await employers.PeerGroupAsync(peerGroup, http.RequestAborted) is null)
                return await next(context);
        }
        var request = http.Request;
        var snapshot = await bands.SnapshotTokenAsync(http.RequestAborted);
        var taxonomyDigest = (await taxonomy.GetAsync(http.RequestAborted)).Digest;
        string? body = null;
        foreach (var argument in context.Arguments)
        {
            if (argument is not null && argument.GetType().IsGenericType && argument.GetType().GetGenericTypeDefinition() == typeof(JsonBody<>))
                body += JsonSerializer.Serialize(argument.GetType().GetProperty(nameof(JsonBody<object>.Value))!.GetValue(argument));
        }
        var etag = Tag(snapshot, bands.MethodologyDigest(Protection.TierOf(http.User)), taxonomyDigest,
            DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), request, body);

        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.Vary = HeaderNames.Accept;
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        // Only a tag this request's own answer would carry: "*" is not honoured, as the query may not even be valid.
        if (ifNoneMatch.Length > 0 && ifNoneMatch.Split(',').Any(t => t.Trim().Replace("W/", "") == etag))
            return Results.StatusCode(StatusCodes.Status304NotModified);

        var cacheable = !AnswerCache.Bypassed(request);
        Task<AnswerCache.Entry?>? lead = null;
        if (cacheable)
        {
            if (answers.TryGet(etag, out var answer))
                return AnswerCache.Replay(answer);
            // Another request is making this very answer: wait for it rather than make it again.
            if (!answers.Lead(etag, out var made))
            {
                if (await made.WaitAsync(http.RequestAborted) is { } theirs)
                    return AnswerCache.Replay(theirs);
            }
            else
            {
                lead = made;
            }
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch
        {
            if (lead is not null)
                answers.Done(etag, lead, null);
            throw;
        }
        // Only successful answers carry the tag; a problem response is not a representation to cache.
        if (result is IStatusCodeHttpResult { StatusCode: >= 400 })
            http.Response.Headers.Remove(HeaderNames.ETag);
        else if (lead is not null && result is IResult kept)
            return answers.Keep(kept, etag, store, lead);
        if (lead is not null)
            answers.Done(etag, lead, null);
        return result;
    }

    /// <summary>
    /// The tag: the first 18 bytes of a SHA-256, in URL-safe base64, of one line each for the snapshot,
    /// the methodology, the taxonomy, the day and the request, then the JSON body. Hashed from a
    /// buffer of this thread's, so a request allocates only the tag itself (this runs on every band
    /// request, before the answer cache).
    /// </summary>
    private static string Tag(string snapshot, string methodology, string taxonomy, DateOnly day, HttpRequest request, string? body)
    {
        var key = keyBuffer ??= new KeyBuffer();
        key.Clear();
        key.Line(snapshot).Line(methodology).Line(taxonomy);
        Span<char> date = stackalloc char[10];
        key.Line(day.TryFormat(date, out var written, "O") ? date[..written] : day.ToString("O"));
        key.Add(request.Method).Add(" ").Add(request.Path.ToUriComponent()).Line(request.QueryString.ToUriComponent());
        var accept = request.Headers.Accept;
        if (accept.Count == 1)
            key.Line(accept[0]);
        else
            key.Line(accept.ToString());
        key.Add(body);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(key.Written, hash);
        // A large compare body grew the buffer: not kept for the thread's next (most likely small) request.
        if (key.Capacity > KeyBuffer.KeptBytes)
            keyBuffer = null;
        Span<char> text = stackalloc char[26];
        text[0] = text[25] = '"';
        Convert.TryToBase64Chars(hash[..18], text[1..25], out _);
        foreach (ref var c in text)
            c = c switch { '+' => '-', '/' => '_', _ => c };
        return new string(text);
    }

    [ThreadStatic]
    private static KeyBuffer? keyBuffer;

    /// <summary>The UTF-8 of a tag's key, in a buffer reused by the thread's next request.</summary>
    private sealed class KeyBuffer
    {
        /// <summary>The largest buffer a thread keeps between requests.</summary>
        public const int KeptBytes = 64 * 1024;

        private byte[] bytes = new byte[1024];
        private int length;

        public int Capacity => bytes.Length;

        public ReadOnlySpan<byte> Written => bytes.AsSpan(0, length);

        public void Clear() => length = 0;

        public KeyBuffer Line(ReadOnlySpan<char> text) => Add(text).Add("\n");

        public KeyBuffer Add(ReadOnlySpan<char> text)
        {
            var most = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (length + most > bytes.Length)
                Array.Resize(ref bytes, Math.Max(bytes.Length * 2, length + most));
            length += Encoding.UTF8.GetBytes(text, bytes.AsSpan(length));
            return this;
        }
    }

    private static IEnumerable<string> PeerGroupsOf(IEnumerable<object?> arguments) => arguments
        .SelectMany(a => a switch
        {
            BandFilter filter => [filter.PeerGroup],
            JsonBody<CompareRequest> { Value.Segments: { } segments } => segments.Select(s => s?.Filter?.PeerGroup),
            _ => [],
        })
        .Select(BandFilter.Present).OfType<string>();
}

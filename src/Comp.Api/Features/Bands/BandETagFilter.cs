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
        var key = new StringBuilder()
            .Append(await bands.SnapshotTokenAsync(http.RequestAborted)).Append('\n')
            .Append(bands.MethodologyDigest(Protection.TierOf(http.User))).Append('\n')
            .Append((await taxonomy.GetAsync(http.RequestAborted)).Digest).Append('\n')
            .Append(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).ToString("O")).Append('\n')
            .Append(request.Method).Append(' ').Append(request.Path).Append(request.QueryString).Append('\n')
            .Append(request.Headers.Accept.ToString()).Append('\n');
        foreach (var argument in context.Arguments)
        {
            if (argument is not null && argument.GetType().IsGenericType && argument.GetType().GetGenericTypeDefinition() == typeof(JsonBody<>))
                key.Append(JsonSerializer.Serialize(argument.GetType().GetProperty(nameof(JsonBody<object>.Value))!.GetValue(argument)));
        }
        var etag = "\"" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())), 0, 18)
            .Replace('+', '-').Replace('/', '_') + "\"";

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

    private static IEnumerable<string> PeerGroupsOf(IEnumerable<object?> arguments) => arguments
        .SelectMany(a => a switch
        {
            BandFilter filter => [filter.PeerGroup],
            JsonBody<CompareRequest> { Value.Segments: { } segments } => segments.Select(s => s?.Filter?.PeerGroup),
            _ => [],
        })
        .Select(BandFilter.Present).OfType<string>();
}

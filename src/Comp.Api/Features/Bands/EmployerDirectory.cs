using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Features.Bands.Engine;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Bands;

/// <summary>
/// Employer slugs to database ids, for band filters. Each request looks a slug up once: the
/// validator's lookup is remembered for the request, and the filter's resolution reuses it. A slug
/// the band index has seen, once the index is current for the request, is resolved from memory;
/// others (an employer without datapoints, or before the index has loaded) from PostgreSQL. There is
/// no route that deletes an employer: one deleted in SQL resolves, to an empty cut, until the index's
/// next full load.
/// </summary>
public sealed class EmployerDirectory(IHttpContextAccessor http, IServiceScopeFactory scopes, Index.BandIndex? index)
{
    private static readonly object MemoKey = new();
    private static readonly object PeerGroupMemoKey = new();

    /// <summary>The ids of the slugs that name an employer (unknown slugs are absent).</summary>
    public async Task<IReadOnlyDictionary<string, int>> IdsAsync(IReadOnlyList<string> slugs, CancellationToken cancellationToken)
    {
        if (slugs.Count == 0)
            return new Dictionary<string, int>();
        var context = http.HttpContext;
        var memo = context?.Items[MemoKey] as Dictionary<string, int?>;
        if (memo is null)
        {
            memo = new Dictionary<string, int?>(StringComparer.Ordinal);
            if (context is not null)
                context.Items[MemoKey] = memo;
        }
        if (index?.Data is not null && context is not null)
        {
            // The index as current as this request's answer will be: an employer made again since (a new id for
            // the same slug, as after a test reset) is then known by its new id.
            await context.RequestServices.GetRequiredService<IBandStore>().SnapshotTokenAsync(cancellationToken);
        }
        if (context is not null && index?.Data is { } data)
            foreach (var slug in slugs)
                if (!memo.ContainsKey(slug) && data.TryEmployerId(slug, out var known))
                    memo[slug] = known;
        // PostgreSQL text cannot hold U+0000: such a slug names no employer and is not sent.
        var lookup = slugs.Where(s => !memo.ContainsKey(s) && !s.Contains('\0')).ToList();
        if (lookup.Count > 0)
        {
            await using var scope = context is null ? scopes.CreateAsyncScope() : (AsyncServiceScope?)null;
            var db = (scope?.ServiceProvider ?? context!.RequestServices).GetRequiredService<CompDbContext>();
            var found = await db.Employers.AsNoTracking().Where(e => lookup.Contains(e.Slug))
                .ToDictionaryAsync(e => e.Slug, e => e.Id, cancellationToken);
            foreach (var slug in lookup)
                memo[slug] = found.TryGetValue(slug, out var id) ? id : null;
        }
        return slugs.Where(s => memo.GetValueOrDefault(s) is not null).Distinct().ToDictionary(s => s, s => memo[s]!.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// The peer group a <c>peerGroup</c> parameter names, if the caller may use it (the key that made
    /// it, or an admin key); null for text that is not a UUID, an unknown id, another key's group, or
    /// an anonymous caller. Looked up once per request and remembered: the ETag filter, the
    /// validator and the resolution of the filter see the same group, so a group deleted meanwhile
    /// cannot pass one and fail another.
    /// </summary>
    public async Task<PeerGroup?> PeerGroupAsync(string text, CancellationToken cancellationToken)
    {
        var context = http.HttpContext;
        if (context is null || !Guid.TryParse(text, out var id))
            return null;
        if (context.Items[PeerGroupMemoKey] is not Dictionary<Guid, PeerGroup?> memo)
            context.Items[PeerGroupMemoKey] = memo = [];
        if (!memo.TryGetValue(id, out var group))
        {
            group = await context.RequestServices.GetRequiredService<CompDbContext>().PeerGroups.AsNoTracking()
                .FirstOrDefaultAsync(g => g.Id == id, cancellationToken);
            memo[id] = group;
        }
        return group is not null && Callers.MaySee(context.User, group.ApiKeyId) ? group : null;
    }

    /// <summary>How many employers there are (an exclusion from every employer leaves all but those excluded).</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await using var scope = http.HttpContext is null ? scopes.CreateAsyncScope() : (AsyncServiceScope?)null;
        var db = (scope?.ServiceProvider ?? http.HttpContext!.RequestServices).GetRequiredService<CompDbContext>();
        return await db.Employers.CountAsync(cancellationToken);
    }
}

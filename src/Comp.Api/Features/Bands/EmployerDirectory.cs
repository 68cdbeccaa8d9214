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
}

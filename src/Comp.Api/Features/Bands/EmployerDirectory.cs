using Comp.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Bands;

/// <summary>
/// Employer slugs to database ids, for band filters. Each request looks a slug up once: the
/// validator's lookup is remembered for the request, and the filter's resolution reuses it.
/// </summary>
public sealed class EmployerDirectory(IHttpContextAccessor http, IServiceScopeFactory scopes)
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

using Comp.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Taxonomy;

/// <summary>Roles, levels and regions as one immutable snapshot: small, read on every request.</summary>
public sealed class TaxonomySnapshot
{
    public required IReadOnlyDictionary<string, Role> Roles { get; init; }
    public required IReadOnlyDictionary<string, Level> Levels { get; init; }
    public required IReadOnlyDictionary<string, Region> Regions { get; init; }
    public required ILookup<string, Region> Children { get; init; }

    /// <summary>Currencies with at least one FX rate (USD, the base, included).</summary>
    public required IReadOnlySet<string> RatedCurrencies { get; init; }

    /// <summary>The region and all its descendants, by the parent links (not by code prefix).</summary>
    public IReadOnlyList<string> RegionAndDescendants(string code)
    {
        var result = new List<string>();
        var pending = new Stack<string>();
        pending.Push(code);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            result.Add(current);
            foreach (var child in Children[current])
                pending.Push(child.Code);
        }
        return result;
    }
}

/// <summary>
/// Caches the taxonomy for validation and band queries. Reloaded after a change made through
/// this instance and at most <see cref="MaxAge"/> after a change made elsewhere.
/// </summary>
public sealed class TaxonomyCache(IServiceScopeFactory scopes)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile Entry? current;

    private sealed record Entry(TaxonomySnapshot Snapshot, DateTimeOffset LoadedAt);

    public async ValueTask<TaxonomySnapshot> GetAsync(CancellationToken cancellationToken = default)
    {
        var entry = current;
        if (entry is not null && DateTimeOffset.UtcNow - entry.LoadedAt < MaxAge)
            return entry.Snapshot;

        await gate.WaitAsync(cancellationToken);
        try
        {
            entry = current;
            if (entry is not null && DateTimeOffset.UtcNow - entry.LoadedAt < MaxAge)
                return entry.Snapshot;
            var snapshot = await LoadAsync(cancellationToken);
            current = new Entry(snapshot, DateTimeOffset.UtcNow);
            return snapshot;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Invalidate() => current = null;

    private async Task<TaxonomySnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
        var roles = await db.Roles.AsNoTracking().ToDictionaryAsync(r => r.Slug, StringComparer.Ordinal, cancellationToken);
        var levels = await db.Levels.AsNoTracking().ToDictionaryAsync(l => l.Code, StringComparer.Ordinal, cancellationToken);
        var regions = await db.Regions.AsNoTracking().ToDictionaryAsync(r => r.Code, StringComparer.Ordinal, cancellationToken);
        var rated = (await db.FxRates.AsNoTracking().Select(r => r.Currency).Distinct().ToListAsync(cancellationToken)).Append("USD");
        return new TaxonomySnapshot
        {
            Roles = roles,
            Levels = levels,
            Regions = regions,
            Children = regions.Values.Where(r => r.ParentCode is not null).ToLookup(r => r.ParentCode!, StringComparer.Ordinal),
            RatedCurrencies = rated.Select(c => c.Trim()).ToHashSet(StringComparer.Ordinal),
        };
    }
}

using Comp.Api.Contracts;
using Comp.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Features.Taxonomy;

/// <summary>
/// Caches the taxonomy (and the employers' attributes) for validation and band queries. Reloaded after a change made through
/// this instance and at most <see cref="MaxAge"/> after a change made elsewhere.
/// </summary>
public sealed class TaxonomyCache(IServiceScopeFactory scopes) : ITaxonomy
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
        var industries = await db.Industries.AsNoTracking().ToDictionaryAsync(i => i.Slug, StringComparer.Ordinal, cancellationToken);
        var attributes = await db.Employers.AsNoTracking()
            .Where(e => e.Industry != null || e.Stage != null || e.Headcount != null || e.Hq != null)
            .ToDictionaryAsync(e => e.Id, e => new EmployerAttributeValues(e.Industry, e.Stage, e.Headcount, e.Hq), cancellationToken);
        var rated = (await db.FxRates.AsNoTracking().Select(r => r.Currency).Distinct().ToListAsync(cancellationToken)).Append("USD")
            .Select(c => c.Trim()).ToHashSet(StringComparer.Ordinal);
        var text = new System.Text.StringBuilder();
        foreach (var slug in roles.Keys.Order(StringComparer.Ordinal))
            text.Append("role ").Append(slug).Append('\n');
        foreach (var code in levels.Keys.Order(StringComparer.Ordinal))
            text.Append("level ").Append(code).Append('\n');
        foreach (var region in regions.Values.OrderBy(r => r.Code, StringComparer.Ordinal))
            text.Append("region ").Append(region.Code).Append(' ').Append(region.ParentCode).Append('\n');
        foreach (var slug in industries.Keys.Order(StringComparer.Ordinal))
            text.Append("industry ").Append(slug).Append('\n');
        // Employer attributes change no datapoint, yet they change the answers of attribute filters and keys.
        foreach (var (id, values) in attributes.OrderBy(a => a.Key))
            text.Append("employer ").Append(id).Append(' ').Append(values.Industry).Append(' ').Append(values.Stage)
                .Append(' ').Append(values.Headcount).Append(' ').Append(values.Hq).Append('\n');
        foreach (var currency in rated.Order(StringComparer.Ordinal))
            text.Append("currency ").Append(currency).Append('\n');
        return new TaxonomySnapshot
        {
            Roles = roles,
            Levels = levels,
            Regions = regions,
            Children = regions.Values.Where(r => r.ParentCode is not null).ToLookup(r => r.ParentCode!, StringComparer.Ordinal),
            Industries = industries,
            EmployerAttributes = attributes,
            RatedCurrencies = rated,
            Digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())), 0, 16),
        };
    }
}

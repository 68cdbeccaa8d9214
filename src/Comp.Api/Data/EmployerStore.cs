using Microsoft.EntityFrameworkCore;

namespace Comp.Api.Data;

/// <summary>Employers by slug, created on first sight: by the datapoint routes and the demo dataset.</summary>
public static class EmployerStore
{
    /// <summary>
    /// Creates the employers that do not exist yet (the first name seen is kept; ON CONFLICT keeps
    /// it when two writers create the same employer at once) and returns every slug's employer.
    /// </summary>
    public static async Task<Dictionary<string, Employer>> EnsureEmployersAsync(CompDbContext db, IEnumerable<(string Slug, string? Name)> employers, CancellationToken cancellationToken)
    {
        var first = new Dictionary<string, string>();
        foreach (var (slug, name) in employers)
            first.TryAdd(slug, name ?? slug);
        var slugs = first.Keys.ToArray();
        var names = slugs.Select(s => first[s]).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO employers (slug, name, created_at) SELECT s, n, now() FROM unnest({slugs}, {names}) AS t(s, n) ON CONFLICT (slug) DO NOTHING",
            cancellationToken);
        return await db.Employers.AsNoTracking().Where(e => slugs.Contains(e.Slug)).ToDictionaryAsync(e => e.Slug, cancellationToken);
    }
}

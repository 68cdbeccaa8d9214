using Comp.Api.Data;

namespace Comp.Api.Contracts;

/// <summary>
/// The taxonomy as the other features read it: what they validate against and resolve filters
/// with. The Taxonomy feature implements it (its cache); features use it through this interface
/// and never through the Taxonomy feature itself.
/// </summary>
public interface ITaxonomy
{
    /// <summary>The current snapshot. It is cached: a change made on another instance may take a while to show.</summary>
    ValueTask<TaxonomySnapshot> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>Forgets the snapshot after a write that changes it (e.g. a new FX rate), so the next read reloads it.</summary>
    void Invalidate();
}

/// <summary>An employer's attributes (issue 18); null where not set.</summary>
public sealed record EmployerAttributeValues(string? Industry, string? Stage, string? Headcount, string? Hq)
{
    /// <summary>The value of an employer-level band filter or group key: <c>industry</c>, <c>stage</c> or <c>headcount</c>.</summary>
    public string? Of(string attribute) => attribute switch
    {
        "industry" => Industry,
        "stage" => Stage,
        "headcount" => Headcount,
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, null),
    };
}

/// <summary>Roles, levels, regions and employer attributes as one immutable snapshot: small, read on every request.</summary>
public sealed class TaxonomySnapshot
{
    public required IReadOnlyDictionary<string, Role> Roles { get; init; }
    public required IReadOnlyDictionary<string, Level> Levels { get; init; }
    public required IReadOnlyDictionary<string, Region> Regions { get; init; }
    public required ILookup<string, Region> Children { get; init; }

    /// <summary>The controlled list of employer industries, by slug.</summary>
    public IReadOnlyDictionary<string, Industry> Industries { get; init; } = new Dictionary<string, Industry>();

    /// <summary>The attributes of every employer that has at least one set, by employer id.</summary>
    public IReadOnlyDictionary<int, EmployerAttributeValues> EmployerAttributes { get; init; } = new Dictionary<int, EmployerAttributeValues>();

    /// <summary>Currencies with at least one FX rate (USD, the base, included).</summary>
    public required IReadOnlySet<string> RatedCurrencies { get; init; }

    /// <summary>A digest of everything above (what validates and expands a band query, employer attributes included): band ETags carry it.</summary>
    public string Digest { get; init; } = "";

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

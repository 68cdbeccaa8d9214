namespace Comp.Api.Data;

/// <summary>
/// A saved peer group (issue 18): a fixed list of employers (<see cref="EmployerIds"/>), or a rule
/// over employer attributes (<see cref="Industries"/>, <see cref="Stages"/>, <see cref="Headcounts"/>)
/// whose members are the employers that match it when it is used. A group is never changed once
/// made (there is no PATCH) and its id, a UUID, is never reused, so a band answer keyed by the id
/// names one definition for good; a rule's membership moves with the employers' attributes, which
/// band ETags carry.
/// </summary>
public sealed class PeerGroup
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The key that made the group: it and admin keys see it, no other.</summary>
    public Guid ApiKeyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>A list group's employers; null for a rule.</summary>
    public int[]? EmployerIds { get; set; }
    /// <summary>A rule's industries (any of them); null when the rule does not restrict industry.</summary>
    public string[]? Industries { get; set; }
    /// <summary>A rule's stages (any of them); null when the rule does not restrict stage.</summary>
    public string[]? Stages { get; set; }
    /// <summary>A rule's headcount bands (any of them); null when the rule does not restrict headcount.</summary>
    public string[]? Headcounts { get; set; }

    public bool IsRule => EmployerIds is null;

    /// <summary>
    /// Whether an employer with these attributes is a member of a rule: every attribute the rule
    /// restricts holds one of its values (an employer without the attribute matches none), as the
    /// band filters of the same names read them.
    /// </summary>
    public bool Matches(string? industry, string? stage, string? headcount) =>
        IsRule && Holds(Industries, industry) && Holds(Stages, stage) && Holds(Headcounts, headcount);

    private static bool Holds(string[]? values, string? value) => values is null || (value is not null && values.Contains(value));
}

/// <summary>Bounds of a peer group's definition.</summary>
public static class PeerGroupLimits
{
    public const int MaxName = 200;
    /// <summary>The most employers a list group may name (far more than any market needs; it bounds the request's work).</summary>
    public const int MaxEmployers = 10_000;
}

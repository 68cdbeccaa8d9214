using Comp.Statistics;

namespace Comp.Api.Contracts;

/// <summary>
/// What the peer-group rules (issue 18) say when they refuse a request, shared by the PeerGroups
/// feature (creating a group) and the Bands feature (an employer set in the protected tier), so
/// both name the rule the same way. A refusal never names or describes another group.
/// </summary>
public static class PeerGroupRules
{
    public const string MinEmployersKey = "Disclosure:" + nameof(DisclosureRules.MinPeerGroupEmployers);
    public const string MinDifferenceKey = "Disclosure:" + nameof(DisclosureRules.MinPeerGroupDifference);

    public const string TooSmall = "Peer group too small.";
    public const string TooSimilar = "Peer group too similar.";

    public static string TooSmallToSave(int employers, DisclosureRules rules) =>
        $"A peer group needs at least {rules.MinPeerGroupEmployers} employers ({MinEmployersKey}); this one has {employers}.";

    public static string TooSimilarToSave(DisclosureRules rules) =>
        $"A peer group must differ from every existing peer group by at least {rules.MinPeerGroupDifference} employers ({MinDifferenceKey}), " +
        "counting the employers in one and not the other, both ways; this one differs from an existing group by fewer. Add or remove employers.";

    public static string SetTooSmall(int employers, DisclosureRules rules) =>
        $"In the protected tier a cut over a set of employers (a comma list in employer, a peerGroup, or excludeEmployer) needs at least " +
        $"{rules.MinPeerGroupEmployers} employers ({MinEmployersKey}) once every employer filter is applied; this one has {employers}. " +
        "Widen the set, group by employer, or use a key with the exact scope.";
}

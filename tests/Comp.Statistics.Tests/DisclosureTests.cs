using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Expected outcomes worked out by hand from SPEC §2 (defaults: 5 datapoints, 10 outside the
// quartiles, 20 in the tails, 5 employers, no employer above 25%).
public class DisclosureTests
{
    private static readonly DisclosureRules Rules = DisclosureRules.Default;

    private static IReadOnlyList<string> ReasonsFor(int datapoints, int employers, int largest, bool spansEmployers, DisclosureRules? rules = null) =>
        Disclosure.SuppressionReasonsFor(new CellCounts(datapoints, employers, largest), spansEmployers, rules ?? Rules);

    [Fact]
    public void Default_rules_are_the_published_ones()
    {
        Assert.Equal(5, Rules.MinDatapoints);
        Assert.Equal(10, Rules.MinDatapointsOutsideQuartiles);
        Assert.Equal(20, Rules.MinDatapointsInTails);
        Assert.Equal(5, Rules.MinEmployers);
        Assert.Equal(0.25, Rules.MaxEmployerShare);
        Assert.Equal(10, Rules.MinPeerGroupEmployers);
        Assert.Equal(3, Rules.MinPeerGroupDifference);
    }

    [Fact]
    public void Peer_groups_differ_by_the_employers_in_one_and_not_the_other_counted_both_ways()
    {
        var ten = Set(1, 10);
        // A near-superset (one added) and a near-subset (one removed) differ by 1; two added and one removed by 3.
        Assert.Equal(1, Disclosure.PeerGroupDifference(ten, Set(1, 11)));
        Assert.Equal(1, Disclosure.PeerGroupDifference(Set(1, 11), ten));
        Assert.Equal(1, Disclosure.PeerGroupDifference(ten, Set(2, 9)));
        Assert.Equal(3, Disclosure.PeerGroupDifference(ten, Set(2, 11)));
        Assert.Equal(0, Disclosure.PeerGroupDifference(ten, Set(1, 10)));
        Assert.Equal(20, Disclosure.PeerGroupDifference(ten, Set(11, 10)));

        static HashSet<int> Set(int first, int count) => [.. Enumerable.Range(first, count)];
    }

    [Fact]
    public void A_cell_of_five_datapoints_from_five_employers_is_published()
    {
        Assert.Empty(ReasonsFor(5, 5, 1, spansEmployers: true));
    }

    [Fact]
    public void Four_datapoints_are_too_few()
    {
        Assert.Equal([SuppressionReasons.TooFewDatapoints], ReasonsFor(4, 1, 4, spansEmployers: false));
    }

    [Fact]
    public void No_datapoints_are_too_few_and_raise_no_dominance()
    {
        // n = 0 across employers: too few datapoints and employers, but no share to speak of.
        Assert.Equal([SuppressionReasons.TooFewDatapoints], ReasonsFor(0, 0, 0, spansEmployers: false));
        Assert.Equal(
            [SuppressionReasons.TooFewDatapoints, SuppressionReasons.TooFewEmployers],
            ReasonsFor(0, 0, 0, spansEmployers: true));
    }

    [Fact]
    public void Four_employers_are_too_few_for_a_cell_that_spans_employers()
    {
        // 20 datapoints, 4 employers holding 5 each (25%, allowed) → only too_few_employers.
        Assert.Equal([SuppressionReasons.TooFewEmployers], ReasonsFor(20, 4, 5, spansEmployers: true));
        Assert.Empty(ReasonsFor(20, 5, 5, spansEmployers: true));
    }

    [Fact]
    public void Employer_count_does_not_matter_within_one_employer()
    {
        Assert.Empty(ReasonsFor(20, 1, 20, spansEmployers: false));
    }

    [Fact]
    public void An_employer_holding_exactly_25_percent_is_allowed()
    {
        // 5 of 20 = 25%: "no more than 25%" → allowed.
        Assert.Empty(ReasonsFor(20, 6, 5, spansEmployers: true));
    }

    [Fact]
    public void An_employer_holding_more_than_25_percent_dominates()
    {
        // 6 of 20 = 30% → employer_dominance; 26 of 100 = 26% → employer_dominance.
        Assert.Equal([SuppressionReasons.EmployerDominance], ReasonsFor(20, 6, 6, spansEmployers: true));
        Assert.Equal([SuppressionReasons.EmployerDominance], ReasonsFor(100, 10, 26, spansEmployers: true));
        Assert.Empty(ReasonsFor(100, 10, 25, spansEmployers: true));
    }

    [Fact]
    public void Dominance_does_not_apply_within_one_employer()
    {
        Assert.Empty(ReasonsFor(20, 6, 6, spansEmployers: false));
    }

    [Fact]
    public void All_three_reasons_come_in_the_fixed_order()
    {
        // 4 datapoints, 2 employers, the larger holding 3 (75%).
        Assert.Equal(
            ["too_few_datapoints", "too_few_employers", "employer_dominance"],
            ReasonsFor(4, 2, 3, spansEmployers: true));
    }

    [Fact]
    public void Reason_codes_are_the_fixed_wire_codes()
    {
        Assert.Equal("too_few_datapoints", SuppressionReasons.TooFewDatapoints);
        Assert.Equal("too_few_employers", SuppressionReasons.TooFewEmployers);
        Assert.Equal("employer_dominance", SuppressionReasons.EmployerDominance);
    }

    [Theory]
    // quartiles and inside: 5 datapoints
    [InlineData(25, 4, false)]
    [InlineData(25, 5, true)]
    [InlineData(50, 4, false)]
    [InlineData(50, 5, true)]
    [InlineData(75, 4, false)]
    [InlineData(75, 5, true)]
    // below 25 / above 75: 10 datapoints
    [InlineData(24, 9, false)]
    [InlineData(24, 10, true)]
    [InlineData(76, 9, false)]
    [InlineData(76, 10, true)]
    [InlineData(10, 9, false)]
    [InlineData(10, 10, true)]
    [InlineData(90, 9, false)]
    [InlineData(90, 10, true)]
    // below 10 / above 90: 20 datapoints
    [InlineData(9, 19, false)]
    [InlineData(9, 20, true)]
    [InlineData(91, 19, false)]
    [InlineData(91, 20, true)]
    [InlineData(1, 19, false)]
    [InlineData(1, 20, true)]
    [InlineData(99, 19, false)]
    [InlineData(99, 20, true)]
    public void A_percentile_needs_enough_datapoints_for_how_far_out_it_lies(int percentile, int datapoints, bool expected)
    {
        Assert.Equal(expected, Disclosure.MayPublishPercentile(percentile, datapoints, Rules));
    }

    [Fact]
    public void Custom_thresholds_are_honoured()
    {
        var rules = new DisclosureRules
        {
            MinDatapoints = 3,
            MinDatapointsOutsideQuartiles = 6,
            MinDatapointsInTails = 8,
            MinEmployers = 2,
            MaxEmployerShare = 0.5,
        };

        // 3 datapoints from 3 employers, largest 1 (33%) → published; the defaults suppress it on all three counts.
        Assert.Empty(ReasonsFor(3, 3, 1, spansEmployers: true, rules));
        Assert.Equal(3, ReasonsFor(3, 3, 1, spansEmployers: true).Count);
        Assert.Equal([SuppressionReasons.TooFewDatapoints], ReasonsFor(2, 2, 1, spansEmployers: true, rules));
        // 2 employers holding 5 of 10 each: enough under MinEmployers 2 and share 0.5, not under the defaults.
        Assert.Equal(
            [SuppressionReasons.TooFewEmployers, SuppressionReasons.EmployerDominance],
            ReasonsFor(10, 2, 5, spansEmployers: true));
        // 1 employer holding all 10: still too few employers, and 100% > 50%.
        Assert.Equal(
            [SuppressionReasons.TooFewEmployers, SuppressionReasons.EmployerDominance],
            ReasonsFor(10, 1, 10, spansEmployers: true, rules));
        // share 0.5: 5 of 10 allowed, 6 of 10 dominates.
        Assert.Empty(ReasonsFor(10, 2, 5, spansEmployers: true, rules));
        Assert.Equal([SuppressionReasons.EmployerDominance], ReasonsFor(10, 2, 6, spansEmployers: true, rules));

        Assert.False(Disclosure.MayPublishPercentile(50, 2, rules));
        Assert.True(Disclosure.MayPublishPercentile(50, 3, rules));
        Assert.False(Disclosure.MayPublishPercentile(20, 5, rules));
        Assert.True(Disclosure.MayPublishPercentile(20, 6, rules));
        Assert.False(Disclosure.MayPublishPercentile(95, 7, rules));
        Assert.True(Disclosure.MayPublishPercentile(95, 8, rules));
    }

    [Fact]
    public void An_employer_holding_exactly_the_configured_share_is_allowed_for_any_share()
    {
        // Hand: 29 of 100 is 29%, which is not more than 29%.
        var rules = new DisclosureRules { MaxEmployerShare = 0.29 };
        Assert.Empty(ReasonsFor(100, 10, 29, spansEmployers: true, rules));
    }

    [Fact]
    public void Describe_states_the_thresholds()
    {
        Assert.Equal(
            "cells need >= 5 datapoints; percentiles below 25 or above 75 need >= 10, below 10 or above 90 >= 20; " +
            "multi-employer cells need >= 5 employers and no employer above 25% of the datapoints; " +
            "a percentile equal to the cell's smallest or largest value is withheld",
            Rules.Describe());
    }

    [Fact]
    public void Counts_per_basis_below_the_minimum_are_withheld_with_the_smallest_other_so_n_cannot_give_them()
    {
        // 30 + 3 + 12: the 3 is withheld, and then the 12 too (else 45 - 30 - 12 = 3).
        Assert.Equal([("public_rsu", 30), ("options_spread", (int?)null), ("unknown", null)],
            Disclosure.PublishedCounts([("public_rsu", 30), ("options_spread", 3), ("unknown", 12)], Rules));
        // Two small counts: each already withheld, the others stand.
        Assert.Equal([("public_rsu", 30), ("options_spread", (int?)null), ("cash_lti", null), ("unknown", 12)],
            Disclosure.PublishedCounts([("public_rsu", 30), ("options_spread", 3), ("cash_lti", 1), ("unknown", 12)], Rules));
        // All at the minimum or above: all published.
        Assert.Equal([("profit_units", 20), ("unknown", (int?)5)],
            Disclosure.PublishedCounts([("profit_units", 20), ("unknown", 5)], Rules));
    }
}

namespace Comp.Statistics.Tests;

/// <summary>
/// Each pay rule both band sources compute with, pinned to SPEC's wording with values computed by
/// hand: day numbers, aging, trend periods, cell order, FX rate choice, component values, and the
/// left-out count's disclosure.
/// </summary>
public sealed class RulesTests
{
    [Fact]
    public void Days_are_counted_from_2000_01_01_and_a_mean_date_rounds_toward_day_zero()
    {
        Assert.Equal(0, Days.Of(new DateOnly(2000, 1, 1)));
        Assert.Equal(366, Days.Of(new DateOnly(2001, 1, 1))); // 2000 is a leap year
        Assert.Equal(-1, Days.Of(new DateOnly(1999, 12, 31)));
        Assert.Equal(new DateOnly(2024, 3, 1), Days.Date(Days.Of(new DateOnly(2024, 3, 1))));
        // Mean of 2024-03-01 (day 8,826) and 2024-03-04 (day 8,829): 17,655 / 2 = 8,827 (truncated) = 2024-03-02.
        Assert.Equal(new DateOnly(2024, 3, 2), Days.Mean(Days.Of(new DateOnly(2024, 3, 1)) + Days.Of(new DateOnly(2024, 3, 4)), 2));
        Assert.Null(Days.Mean(0, 0));
    }

    [Fact]
    public void Aging_multiplies_by_one_plus_r_to_the_days_over_365_25()
    {
        // SPEC §3: value × (1 + r)^(days / 365.25). 365.25 days at 3% is exactly 1.03; 730.5 days is 1.03².
        Assert.Equal(1.0, Aging.Factor(0.03, 0));
        Assert.Equal(Math.Pow(1.03, 1), Aging.Factor(0.03, 365) * Math.Pow(1.03, 0.25 / 365.25), 12);
        Assert.Equal(1.0609, Aging.Factor(0.03, 730) * Math.Pow(1.03, 0.5 / 365.25), 12);
        Assert.Equal(1 / 1.03, Aging.Factor(0.03, -365) / Math.Pow(1.03, 0.25 / 365.25), 12); // back in time
        Assert.Equal(1.0, Aging.Factor(0.0, 10_000));
    }

    [Theory]
    [InlineData("2024-01-01", "year", "2024")]
    [InlineData("2024-12-31", "year", "2024")]
    [InlineData("2024-01-01", "quarter", "2024-Q1")]
    [InlineData("2024-03-31", "quarter", "2024-Q1")]
    [InlineData("2024-04-01", "quarter", "2024-Q2")]
    [InlineData("2024-09-30", "quarter", "2024-Q3")]
    [InlineData("2024-12-31", "quarter", "2024-Q4")]
    public void A_period_is_a_calendar_year_or_quarter_labelled_2024_or_2024_Q2(string date, string interval, string label) =>
        Assert.Equal(label, Periods.Label(Periods.Ordinal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), interval), interval));

    [Fact]
    public void Later_periods_have_larger_ordinals()
    {
        Assert.True(Periods.Ordinal(new DateOnly(2023, 12, 31), Periods.Quarter) + 1 == Periods.Ordinal(new DateOnly(2024, 1, 1), Periods.Quarter));
        Assert.True(Periods.Ordinal(new DateOnly(2023, 12, 31), Periods.Year) + 1 == Periods.Ordinal(new DateOnly(2024, 1, 1), Periods.Year));
    }

    [Fact]
    public void Cells_are_ordered_by_their_labels_ordinally_with_a_missing_label_last()
    {
        string?[][] cells = [["b", "L5"], ["a", null], ["B", "L4"], ["a", "L4"], ["a", "L10"]];
        var ordered = cells.OrderBy(c => c, Comparer<string?[]>.Create((x, y) => CellOrder.Compare(x, y))).ToList();
        // Ordinal: upper case before lower, "L10" before "L4"; null after every label.
        Assert.Equal([["B", "L4"], ["a", "L10"], ["a", "L4"], ["a", null], ["b", "L5"]], ordered);
    }

    [Fact]
    public void A_value_is_converted_at_the_latest_rate_on_or_before_its_date_or_the_earliest_rate()
    {
        // EUR: 1.10 USD from 2024-01-01, 1.20 from 2024-07-01. GBP: 1.25 from 2024-04-01.
        var jan = Days.Of(new DateOnly(2024, 1, 1));
        var apr = Days.Of(new DateOnly(2024, 4, 1));
        var jul = Days.Of(new DateOnly(2024, 7, 1));
        var fx = new FxTable([new FxRate("EUR", jan, 1.10), new FxRate("EUR", jul, 1.20), new FxRate("GBP", apr, 1.25)]);

        var toUsd = FxConversion.Plan(fx, "EUR", "USD", jan - 400, jul + 400);
        Assert.Equal(110_000, toUsd.Convert(100_000, toUsd.PeriodOf(jan - 300)), 9); // before any rate: the earliest
        Assert.Equal(110_000, toUsd.Convert(100_000, toUsd.PeriodOf(jul - 1)), 9);
        Assert.Equal(120_000, toUsd.Convert(100_000, toUsd.PeriodOf(jul)), 9); // on the rate's date: that rate
        Assert.Equal(new RateUsed("EUR", new DateOnly(2024, 7, 1), 1.20), toUsd.SourceRate[toUsd.PeriodOf(jul + 100)]);
        Assert.Null(toUsd.TargetRate[toUsd.PeriodOf(jul)]); // USD is the base and names no rate

        // EUR to GBP: both rates' periods intersected. In March: 1.10 / 1.25 (GBP's earliest); in August 1.20 / 1.25.
        var toGbp = FxConversion.Plan(fx, "EUR", "GBP", jan - 400, jul + 400);
        Assert.Equal(100_000 * 1.10 / 1.25, toGbp.Convert(100_000, toGbp.PeriodOf(apr - 20)));
        Assert.Equal(100_000 * 1.20 / 1.25, toGbp.Convert(100_000, toGbp.PeriodOf(jul + 40)));

        // A currency without any rate cannot be converted (never 1:1).
        Assert.Null(FxConversion.Plan(fx, "JPY", "USD", jan, jul).Starts);
        Assert.Null(FxConversion.Plan(fx, "EUR", "JPY", jan, jul).Starts);
    }

    [Fact]
    public void Components_sum_annual_amounts_in_one_order_and_grants_divide_by_their_vesting_years()
    {
        // base 200k, bonus 20k, equity 600k over 4 years = 150k, retention 100k over 8 = 12.5k, sign-on 50k.
        Assert.Equal(150_000.0, Components.Annual(600_000.0, 4));
        Assert.Equal(12_500m, Components.Annual(100_000m, 8));
        Assert.Equal(382_500.0, Components.Of(Component.Total, 200_000.0, 20_000, 150_000, 12_500, 50_000, 1, 1));
        Assert.Equal(432_500.0, Components.Of(Component.Year1, 200_000.0, 20_000, 150_000, 12_500, 50_000, 1, 1));
        Assert.Equal(20_000.0, Components.Of(Component.Bonus, 200_000.0, 20_000, 150_000, 12_500, 50_000, 1, 1));
        // Year 2 with equity on Amazon's 5/15/40/40 (share 4 x 15 / 100 = 0.6 of the annual 150k) and retention whose schedule has ended (share 0).
        Assert.Equal(200_000.0 + 20_000 + 150_000 * 0.6 + 0, Components.Of(Component.Year2, 200_000.0, 20_000, 150_000, 12_500, 50_000, 0.6, 0));
        Assert.Equal(Amount.Equity, Components.Required(Component.Equity));
        Assert.Null(Components.Required(Component.Total));
        // In double, as PostgreSQL's float8: the sum is taken left to right, as percentile_cont's input is.
        Assert.Equal(((0.1 + 0.2) + 0.3) + 0.4, Components.Of(Component.Total, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 1));
    }

    [Fact]
    public void A_left_out_count_is_published_only_from_the_cell_minimum_on()
    {
        Assert.Null(Disclosure.PublishedCount(4, DisclosureRules.Default));
        Assert.Equal(5, Disclosure.PublishedCount(5, DisclosureRules.Default));
    }

    [Fact]
    public void Employer_rules_apply_unless_one_employer_is_filtered_or_cells_are_per_employer()
    {
        Assert.True(Disclosure.SpansEmployers(employersFiltered: 0, groupedByEmployer: false));
        Assert.True(Disclosure.SpansEmployers(employersFiltered: 2, groupedByEmployer: false));
        Assert.False(Disclosure.SpansEmployers(employersFiltered: 1, groupedByEmployer: false));
        Assert.False(Disclosure.SpansEmployers(employersFiltered: 0, groupedByEmployer: true));
    }

    [Fact]
    public void A_data_age_is_in_years_of_365_25_days_and_the_rules_state_themselves_for_methodology()
    {
        // 2020-01-01 → 2024-01-01 is 1,461 days: exactly 4 years of 365.25 days.
        Assert.Equal(4.0, Days.Years(new DateOnly(2020, 1, 1), new DateOnly(2024, 1, 1)));
        // Back in time is negative: 2024-01-01 → 2023-01-01 is −365 days.
        Assert.Equal(-365 / 365.25, Days.Years(new DateOnly(2024, 1, 1), new DateOnly(2023, 1, 1)));
        Assert.Equal("aging (agedTo): value x (1 + 0.03)^(days / 365.25) after conversion", Aging.Describe(0.03));
        Assert.StartsWith("FX: each value converted at the rate of the latest date on or before its effective date", FxTable.Rule);
        Assert.Equal("USD", FxTable.Base);
        Assert.Equal(Periods.Year, Periods.Default);
    }
}

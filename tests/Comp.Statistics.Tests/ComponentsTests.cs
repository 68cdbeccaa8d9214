using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Expected values worked out by hand from SPEC §1 "Components".
public class ComponentsTests
{
    // base 200000, bonus 20000, sign-on 50000, equity 400000 over 4 years, retention 120000 over 3 years.
    private static readonly PayPackage Full = new(
        BaseSalary: 200000m,
        TargetBonus: 20000m,
        SignOnBonus: 50000m,
        EquityGrant: 400000m,
        EquityVestingYears: 4,
        RetentionGrant: 120000m,
        RetentionVestingYears: 3);

    // Only a base salary; vesting years at their default.
    private static readonly PayPackage BaseOnly = new(150000m, null, null, null, 4, null, 4);

    [Theory]
    [InlineData(Component.Base, 200000)]
    [InlineData(Component.Bonus, 20000)]
    [InlineData(Component.Equity, 100000)]    // 400000 / 4
    [InlineData(Component.Retention, 40000)]  // 120000 / 3
    [InlineData(Component.Signon, 50000)]
    [InlineData(Component.Total, 360000)]     // 200000 + 20000 + 100000 + 40000 (no sign-on)
    [InlineData(Component.Year1, 410000)]     // 360000 + 50000
    public void Each_component_of_a_full_package_has_its_annual_value(Component component, int expected)
    {
        Assert.Equal((decimal)expected, Components.Value(component, Full));
    }

    [Fact]
    public void Equity_and_retention_are_divided_by_their_own_vesting_years()
    {
        // 300000 over 2 years = 150000; 100000 over 8 years = 12500.
        var p = Full with { EquityGrant = 300000m, EquityVestingYears = 2, RetentionGrant = 100000m, RetentionVestingYears = 8 };
        Assert.Equal(150000m, Components.Value(Component.Equity, p));
        Assert.Equal(12500m, Components.Value(Component.Retention, p));
        Assert.Equal(200000m + 20000m + 150000m + 12500m, Components.Value(Component.Total, p));
    }

    [Theory]
    [InlineData(Component.Bonus)]
    [InlineData(Component.Equity)]
    [InlineData(Component.Retention)]
    [InlineData(Component.Signon)]
    public void A_missing_optional_amount_has_no_value(Component component)
    {
        Assert.Null(Components.Value(component, BaseOnly));
    }

    [Fact]
    public void Total_and_year1_count_missing_amounts_as_zero()
    {
        Assert.Equal(150000m, Components.Value(Component.Base, BaseOnly));
        Assert.Equal(150000m, Components.Value(Component.Total, BaseOnly));
        Assert.Equal(150000m, Components.Value(Component.Year1, BaseOnly));
    }

    [Fact]
    public void Total_and_year1_add_whichever_amounts_are_present()
    {
        // base 100000 + equity 80000/4 = 120000; year1 adds sign-on 10000 = 130000.
        var p = new PayPackage(100000m, null, 10000m, 80000m, 4, null, 4);
        Assert.Equal(120000m, Components.Value(Component.Total, p));
        Assert.Equal(130000m, Components.Value(Component.Year1, p));
    }

    [Fact]
    public void An_unknown_component_value_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Components.Value((Component)99, Full));
    }

    [Theory]
    [InlineData("base", Component.Base)]
    [InlineData("bonus", Component.Bonus)]
    [InlineData("equity", Component.Equity)]
    [InlineData("retention", Component.Retention)]
    [InlineData("signon", Component.Signon)]
    [InlineData("total", Component.Total)]
    [InlineData("year1", Component.Year1)]
    public void Each_wire_name_parses_to_its_component(string text, Component expected)
    {
        Assert.True(Components.TryParse(text, out var component));
        Assert.Equal(expected, component);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_component_means_total(string? text)
    {
        Assert.True(Components.TryParse(text, out var component));
        Assert.Equal(Component.Total, component);
    }

    [Theory]
    [InlineData("salary")]
    [InlineData("Base")]      // wire names are lower case, compared ordinally
    [InlineData("TOTAL")]
    [InlineData("sign-on")]
    [InlineData(" base")]
    public void An_unknown_component_name_does_not_parse(string text)
    {
        Assert.False(Components.TryParse(text, out _));
    }

    [Fact]
    public void Names_lists_the_ten_wire_names_in_enum_order()
    {
        Assert.Equal(["base", "bonus", "equity", "retention", "signon", "total", "year1", "year2", "year3", "year4"], Components.Names);
    }

    [Fact]
    public void Name_is_the_lower_case_enum_name()
    {
        Assert.Equal("year1", Components.Name(Component.Year1));
        Assert.Equal("signon", Components.Name(Component.Signon));
    }

    [Fact]
    public void Default_vesting_years_are_4()
    {
        Assert.Equal(4, Components.DefaultVestingYears);
    }
}

// Year-by-year pay (issue 17), worked out by hand.
public class YearComponentsTests
{
    // base 200000, bonus 20000, sign-on 50000; equity 400000 on Amazon's 5/15/40/40; retention 120000 over 3 years, even.
    private static readonly PayPackage BackLoaded = new(200000m, 20000m, 50000m, 400000m, 4, 120000m, 3, EquityVestingSchedule: [5m, 15m, 40m, 40m]);

    [Theory]
    [InlineData(Component.Year1, 330000)] // 200000 + 20000 + 400000 x 5% = 20000 + 120000 / 3 = 40000 + 50000
    [InlineData(Component.Year2, 320000)] // 200000 + 20000 + 60000 + 40000
    [InlineData(Component.Year3, 420000)] // 200000 + 20000 + 160000 + 40000
    [InlineData(Component.Year4, 380000)] // 200000 + 20000 + 160000 + 0 (retention vested in 3 years)
    public void Each_year_pays_what_the_grants_vest_that_year(Component component, int expected)
    {
        Assert.Equal((decimal)expected, Components.Value(component, BackLoaded));
    }

    [Fact]
    public void Even_vesting_gives_year1_as_total_plus_sign_on_and_later_years_without_sign_on()
    {
        var even = BackLoaded with { EquityVestingSchedule = null };
        // total = 200000 + 20000 + 100000 + 40000 = 360000
        Assert.Equal(410000m, Components.Value(Component.Year1, even));
        Assert.Equal(360000m, Components.Value(Component.Year2, even));
        Assert.Equal(360000m, Components.Value(Component.Year3, even));
        Assert.Equal(320000m, Components.Value(Component.Year4, even)); // retention ended after 3 years
        Assert.Equal(360000m, Components.Value(Component.Total, even));
    }

    [Fact]
    public void A_schedule_shorter_than_the_year_contributes_nothing()
    {
        var twoYears = new PayPackage(100000m, null, null, 300000m, 2, null, 4, EquityVestingSchedule: [50m, 50m]);
        Assert.Equal(250000m, Components.Value(Component.Year2, twoYears));
        Assert.Equal(100000m, Components.Value(Component.Year3, twoYears));
        Assert.Equal(100000m, Components.Value(Component.Year4, twoYears));
    }

    [Fact]
    public void Year_components_need_no_optional_amount_and_parse_by_their_wire_names()
    {
        Assert.Equal(["base", "bonus", "equity", "retention", "signon", "total", "year1", "year2", "year3", "year4"], Components.Names);
        Assert.True(Components.TryParse("year3", out var year3));
        Assert.Equal(Component.Year3, year3);
        Assert.Null(Components.Required(Component.Year4));
        Assert.Equal(4, Components.YearOf(Component.Year4));
        Assert.Equal(0, Components.YearOf(Component.Total));
    }

    [Fact]
    public void In_double_even_vesting_multiplies_by_exactly_one_so_year1_is_the_old_sum_to_the_bit()
    {
        // Values whose sums round: the share 1.0 changes no bit.
        double b = 123456.78, bonus = 0.1, equity = 1_000_000.0 / 3, retention = 0.7, signOn = 0.3;
        Assert.Equal(b + bonus + equity + retention + signOn, Components.Of(Component.Year1, b, bonus, equity, retention, signOn,
            Vesting.Share(null, 3, 1), Vesting.Share(null, 4, 1)));
    }
}

public class VestingTests
{
    [Fact]
    public void A_share_is_years_times_the_percentage_over_100_and_even_vesting_is_one_each_year()
    {
        double[] amazon = [5, 15, 40, 40];
        Assert.Equal(0.2, Vesting.Share(amazon, 4, 1)); // 4 x 5 / 100
        Assert.Equal(0.6, Vesting.Share(amazon, 4, 2));
        Assert.Equal(1.6, Vesting.Share(amazon, 4, 3));
        Assert.Equal(0.0, Vesting.Share(amazon, 4, 5));
        Assert.Equal(1.0, Vesting.Share(null, 4, 4));
        Assert.Equal(0.0, Vesting.Share(null, 3, 4));
        Assert.Equal(4.0 * 33 / 100, Vesting.Share([33, 33, 22, 12], 4, 1));
    }

    [Theory]
    [InlineData(new double[] { 5, 15, 40, 40 }, null)]
    [InlineData(new double[] { 33.33, 33.33, 33.33 }, null)] // 99.99: within 0.01
    [InlineData(new double[] { 100 }, null)]
    [InlineData(new double[] { 25, 25, 25 }, "The yearly percentages sum to 75; they must sum to 100 (within 0.01).")]
    [InlineData(new double[] { 50, 50.02 }, "The yearly percentages sum to 100.02; they must sum to 100 (within 0.01).")]
    [InlineData(new double[] { -10, 60, 50 }, "Each yearly percentage is from 0 to 100.")]
    [InlineData(new double[] { 33.33333, 66.66667 }, "Each yearly percentage has at most 4 decimal places.")]
    [InlineData(new double[] { }, "A schedule has 1 to 10 yearly percentages, e.g. [25, 25, 25, 25]; this one has 0.")]
    [InlineData(new double[] { 10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5 }, "A schedule has 1 to 10 yearly percentages, e.g. [25, 25, 25, 25]; this one has 11.")]
    public void A_schedule_has_1_to_10_percentages_from_0_summing_to_100(double[] schedule, string? problem)
    {
        Assert.Equal(problem, Vesting.Problem(schedule.Select(p => (decimal)p).ToList()));
    }

    [Theory]
    [InlineData("33/33/22/12", new double[] { 33, 33, 22, 12 })]
    [InlineData("[5, 15, 40, 40]", new double[] { 5, 15, 40, 40 })]
    [InlineData("25% 25% 25% 25%", new double[] { 25, 25, 25, 25 })]
    [InlineData("50;50", new double[] { 50, 50 })]
    public void Schedules_are_read_from_text(string text, double[] expected)
    {
        Assert.True(Vesting.TryParse(text, out var schedule, out var error), error);
        Assert.Equal(expected.Select(p => (decimal)p), schedule);
    }

    [Fact]
    public void A_schedule_is_described_by_its_percentages_joined_by_slashes()
    {
        Assert.Equal("33/33/22/12", Vesting.Describe([33m, 33m, 22m, 12m]));
        Assert.Equal("33.3333/33.3333/33.3334", Vesting.Describe([33.3333, 33.3333, 33.3334]));
    }

    [Theory]
    [InlineData("33/33/22", "The yearly percentages sum to 88; they must sum to 100 (within 0.01).")]
    [InlineData("a/b", "'a' is not a yearly percentage")]
    public void Text_that_is_not_a_schedule_says_why(string text, string expected)
    {
        Assert.False(Vesting.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Bases_and_package_types_have_their_fixed_names_and_codes()
    {
        Assert.Equal(["public_rsu", "private_rsu_preferred", "private_rsu_409a", "options_spread", "profit_units", "cash_lti"], EquityBases.All);
        Assert.Equal(0, EquityBases.Code(null));
        Assert.Equal(5, EquityBases.Code("profit_units"));
        Assert.Equal(-1, EquityBases.Code("stock"));
        Assert.Equal("profit_units", EquityBases.Name(5));
        Assert.Equal(["new_hire", "current", "retention", "promotion", "acquisition"], PackageTypes.All);
        Assert.Equal("new_hire", PackageTypes.Default);
        Assert.Equal(2, PackageTypes.Code("retention"));
    }
}

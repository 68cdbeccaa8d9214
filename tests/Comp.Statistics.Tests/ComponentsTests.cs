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
    public void Names_lists_the_seven_wire_names_in_enum_order()
    {
        Assert.Equal(["base", "bonus", "equity", "retention", "signon", "total", "year1"], Components.Names);
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

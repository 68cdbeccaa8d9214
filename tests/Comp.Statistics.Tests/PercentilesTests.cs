using System.Globalization;
using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Oracle for the expected percentile values: Hyndman–Fan type 7 worked out by hand
// (h = (n-1)p, value = x[floor h] + (h - floor h)(x[ceil h] - x[floor h])) and cross-checked with
// Python's statistics.quantiles(data, n=100, method="inclusive"), which is type 7 (= numpy default,
// PostgreSQL percentile_cont). Where the C# double arithmetic is exact, the assertion is exact.
//
// Sorting is the caller's job: Type7/Of take values "already sorted" and do not check or sort them,
// so unsorted input is documented here rather than tested (any answer would be meaningless).
public class PercentilesTests
{
    private static readonly double[] Textbook = [15, 20, 35, 40, 50];

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(1.0)]
    public void A_single_value_is_every_percentile_of_itself(double fraction)
    {
        // n = 1: h = 0 for every fraction, so the answer is x[0].
        Assert.Equal(42.5, Percentiles.Type7([42.5], fraction));
    }

    [Theory]
    [InlineData(0.0, 10.0)]   // h = 0   → 10
    [InlineData(0.25, 12.5)]  // h = .25 → 10 + .25·10
    [InlineData(0.5, 15.0)]   // h = .5  → 10 + .5·10
    [InlineData(0.75, 17.5)]  // h = .75 → 10 + .75·10
    [InlineData(1.0, 20.0)]   // h = 1   → 20
    public void Two_values_interpolate_linearly_between_them(double fraction, double expected)
    {
        Assert.Equal(expected, Percentiles.Type7([10, 20], fraction));
    }

    [Theory]
    [InlineData(10, 17.0)] // h = 0.4 → 15 + 0.4·5
    [InlineData(25, 20.0)] // h = 1   → x[1]
    [InlineData(40, 29.0)] // h = 1.6 → 20 + 0.6·15
    [InlineData(50, 35.0)] // h = 2   → x[2]
    [InlineData(75, 40.0)] // h = 3   → x[3]
    [InlineData(90, 46.0)] // h = 3.6 → 40 + 0.6·10
    public void Textbook_example_gives_the_type_7_values(int percentile, double expected)
    {
        // [15, 20, 35, 40, 50]: the classic example (Wikipedia "Percentile", linear interpolation
        // between closest ranks, C = 1); hand-computed and checked with statistics.quantiles inclusive.
        Assert.Equal(expected, Percentiles.Of(Textbook, percentile));
    }

    [Fact]
    public void Percentile_0_is_the_minimum_and_percentile_100_the_maximum()
    {
        Assert.Equal(15.0, Percentiles.Of(Textbook, 0));
        Assert.Equal(50.0, Percentiles.Of(Textbook, 100));
        Assert.Equal(15.0, Percentiles.Type7(Textbook, 0.0));
        Assert.Equal(50.0, Percentiles.Type7(Textbook, 1.0));
    }

    [Fact]
    public void Median_of_an_odd_count_is_the_middle_value()
    {
        // [1, 3, 8, 9, 100]: h = 2 → 8 (not the mean, 24.2).
        Assert.Equal(8.0, Percentiles.Of([1, 3, 8, 9, 100], 50));
    }

    [Fact]
    public void Median_of_an_even_count_interpolates_between_the_middle_values()
    {
        // [1, 2, 3, 4]: h = 1.5 → 2 + 0.5·1 = 2.5; [10, 20, 30, 41]: h = 1.5 → 25.
        Assert.Equal(2.5, Percentiles.Of([1, 2, 3, 4], 50));
        Assert.Equal(25.0, Percentiles.Of([10, 20, 30, 41], 50));
    }

    [Theory]
    [InlineData(10, 100.0)] // h = 0.9  → x[0]..x[1] both 100
    [InlineData(25, 100.0)] // h = 2.25 → both 100
    [InlineData(50, 100.0)] // h = 4.5  → x[4] = x[5] = 100
    [InlineData(75, 275.0)] // h = 6.75 → 200 + 0.75·100
    public void Ties_give_the_tied_value_and_interpolate_past_them(int percentile, double expected)
    {
        double[] values = [100, 100, 100, 100, 100, 100, 200, 300, 400, 500];
        Assert.Equal(expected, Percentiles.Of(values, percentile));
    }

    [Fact]
    public void Percentile_90_of_ten_steps_of_ten_is_91_up_to_double_rounding()
    {
        // [10..100 step 10], h = 8.1 → 90 + 0.1·10 = 91 by hand; in double, 8.1 − 8 is
        // 0.0999999999999996, so the result is within 1e-12 of 91 (PostgreSQL computes the same bits).
        double[] values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        Assert.Equal(91.0, Percentiles.Of(values, 90), 1e-12);
        Assert.Equal(91.00m, Percentiles.Round(Percentiles.Of(values, 90)));
    }

    [Fact]
    public void No_values_have_no_percentile()
    {
        var ex = Assert.Throws<ArgumentException>(() => Percentiles.Type7([], 0.5));
        Assert.Equal("sorted", ex.ParamName);
        Assert.Throws<ArgumentException>(() => Percentiles.Of([], 50));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_fraction_outside_0_to_1_throws(double fraction)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Type7(Textbook, fraction));
        Assert.Equal("fraction", ex.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void A_percentile_outside_0_to_100_throws(int percentile)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of(Textbook, percentile));
    }

    [Fact]
    public void Rounding_2_345_gives_2_35_because_the_decimal_conversion_keeps_15_significant_digits()
    {
        // The double nearest 2.345 is 2.34499999999999997335464740899624. Rounded as that exact binary
        // value it would be 2.34; but Round converts (decimal)double first, which keeps 15 significant
        // digits and yields 2.345m, and then rounds the half away from zero → 2.35 (what PostgreSQL's
        // round(2.345::numeric, 2) also gives).
        Assert.Equal(2.35m, Percentiles.Round(2.345));
    }

    [Theory]
    [InlineData(0.125, "0.13")]     // exact binary half: away from zero (banker's would give 0.12)
    [InlineData(-0.125, "-0.13")]   // negative half: away from zero
    [InlineData(-2.345, "-2.35")]   // see the 2.345 test
    [InlineData(2.5, "2.50")]
    [InlineData(1.004, "1.00")]
    [InlineData(131000.0, "131000.00")]
    [InlineData(0.0, "0.00")]
    public void Round_gives_cents_with_halves_away_from_zero_and_always_two_decimals(double value, string expected)
    {
        Assert.Equal(expected, Percentiles.Round(value).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Round_of_a_whole_number_has_scale_2()
    {
        var rounded = Percentiles.Round(131000);
        Assert.Equal("131000.00", rounded.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(2, rounded.Scale);
    }

    [Fact]
    public void Key_is_p_followed_by_the_percentile()
    {
        Assert.Equal("p10", Percentiles.Key(10));
        Assert.Equal("p5", Percentiles.Key(5));
        Assert.Equal("p99", Percentiles.Key(99));
    }

    [Fact]
    public void Default_percentiles_are_10_25_50_75_90()
    {
        Assert.Equal([10, 25, 50, 75, 90], Percentiles.Default);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void No_percentile_list_means_the_default_list(string? text)
    {
        Assert.True(Percentiles.TryParseList(text, out var list, out var error));
        Assert.Equal([10, 25, 50, 75, 90], list);
        Assert.Null(error);
    }

    [Fact]
    public void A_percentile_list_is_sorted_and_deduplicated()
    {
        Assert.True(Percentiles.TryParseList("90,10,50,10", out var list, out var error));
        Assert.Equal([10, 50, 90], list);
        Assert.Null(error);
    }

    [Fact]
    public void Spaces_around_a_percentile_are_trimmed()
    {
        Assert.True(Percentiles.TryParseList(" 25 ", out var list, out _));
        Assert.Equal([25], list);
        Assert.True(Percentiles.TryParseList("1, 99", out list, out _));
        Assert.Equal([1, 99], list);
    }

    [Theory]
    [InlineData("0", "'0'")]
    [InlineData("100", "'100'")]
    [InlineData("abc", "'abc'")]
    [InlineData("5.5", "'5.5'")]
    [InlineData("-1", "'-1'")]
    [InlineData("+5", "'+5'")]
    [InlineData("10,,50", "''")]
    [InlineData("10, x ,50", "'x'")]
    public void A_bad_percentile_is_an_error_that_names_it(string text, string quotedPart)
    {
        Assert.False(Percentiles.TryParseList(text, out _, out var error));
        Assert.NotNull(error);
        Assert.StartsWith(quotedPart + " is not a percentile", error);
    }
}

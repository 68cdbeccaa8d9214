using Comp.Statistics;

namespace Comp.Statistics.Tests;

// Oracle: the grades documented on Confidence, by hand at each threshold and one step past it:
//   high   = n >= 100, >= 10 employers (or a single-employer cell), mean age <= 2 years;
//   medium = n >= 30,  >= 5 employers  (or a single-employer cell), mean age <= 4 years;
//   low    = anything else.
public class ConfidenceGradeTests
{
    [Theory]
    [InlineData(100, 10, false, 2.0, Confidence.High)]     // every high threshold met exactly
    [InlineData(5000, 200, false, 0.0, Confidence.High)]   // well inside
    [InlineData(99, 10, false, 1.0, Confidence.Medium)]    // one datapoint short of high
    [InlineData(100, 9, false, 1.0, Confidence.Medium)]    // one employer short of high
    [InlineData(100, 10, false, 2.01, Confidence.Medium)]  // data a little too old for high
    [InlineData(30, 5, false, 4.0, Confidence.Medium)]     // every medium threshold met exactly
    [InlineData(29, 5, false, 1.0, Confidence.Low)]        // one datapoint short of medium
    [InlineData(30, 4, false, 1.0, Confidence.Low)]        // one employer short of medium
    [InlineData(30, 5, false, 4.01, Confidence.Low)]       // data a little too old for medium
    [InlineData(1000, 50, false, 10.0, Confidence.Low)]    // large and spread, but stale
    [InlineData(5, 5, false, 0.5, Confidence.Low)]         // the smallest publishable cell
    public void Grade_follows_the_thresholds_for_a_multi_employer_cell(int datapoints, int employers, bool singleEmployer, double meanAgeYears, string expected)
    {
        Assert.Equal(expected, Confidence.Grade(datapoints, employers, singleEmployer, meanAgeYears));
    }

    [Theory]
    [InlineData(100, 1, true, 1.0, Confidence.High)]   // one employer's cell: the employer count does not apply
    [InlineData(30, 1, true, 4.0, Confidence.Medium)]
    [InlineData(30, 1, true, 4.5, Confidence.Low)]     // too old for medium
    [InlineData(29, 1, true, 1.0, Confidence.Low)]     // too few datapoints for medium
    [InlineData(100, 1, true, 2.5, Confidence.Medium)] // too old for high, fine for medium
    public void A_single_employer_cell_is_not_held_to_the_employer_count(int datapoints, int employers, bool singleEmployer, double meanAgeYears, string expected)
    {
        Assert.Equal(expected, Confidence.Grade(datapoints, employers, singleEmployer, meanAgeYears));
    }

    [Fact]
    public void One_employer_without_the_single_employer_flag_is_low()
    {
        // 100 datapoints, fresh, but a multi-employer cell with 1 employer: fails both spreads.
        Assert.Equal(Confidence.Low, Confidence.Grade(100, 1, singleEmployer: false, meanAgeYears: 1));
    }

    [Fact]
    public void Grade_codes_are_the_fixed_lowercase_words()
    {
        Assert.Equal("low", Confidence.Low);
        Assert.Equal("medium", Confidence.Medium);
        Assert.Equal("high", Confidence.High);
    }

    [Fact]
    public void Describe_states_every_threshold()
    {
        var text = Confidence.Describe();

        Assert.Contains("high", text);
        Assert.Contains("n >= 100", text);
        Assert.Contains(">= 10 employers", text);
        Assert.Contains("<= 2 years", text);
        Assert.Contains("medium", text);
        Assert.Contains("n >= 30", text);
        Assert.Contains(">= 5 employers", text);
        Assert.Contains("<= 4 years", text);
        Assert.Contains("one employer", text);
        Assert.Contains("low", text);
    }
}

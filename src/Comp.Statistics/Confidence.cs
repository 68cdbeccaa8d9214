namespace Comp.Statistics;

/// <summary>
/// How far a published cell can be trusted, from its sample size, its spread over employers and
/// the age of its data:
/// <list type="bullet">
/// <item><c>high</c>: at least 100 datapoints, at least 10 employers (or a single-employer cell),
/// mean data age at most 2 years;</item>
/// <item><c>medium</c>: at least 30 datapoints, at least 5 employers (or a single-employer cell),
/// mean data age at most 4 years;</item>
/// <item><c>low</c>: anything else that is published.</item>
/// </list>
/// </summary>
public static class Confidence
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";

    public static string Grade(int datapoints, int employers, bool singleEmployer, double meanAgeYears)
    {
        bool Spread(int minimum) => singleEmployer || employers >= minimum;
        if (datapoints >= 100 && Spread(10) && meanAgeYears <= 2)
            return High;
        if (datapoints >= 30 && Spread(5) && meanAgeYears <= 4)
            return Medium;
        return Low;
    }

    public static string Describe() =>
        "confidence: high = n >= 100, >= 10 employers (or one employer), mean age <= 2 years; " +
        "medium = n >= 30, >= 5 employers (or one employer), mean age <= 4 years; else low";
}

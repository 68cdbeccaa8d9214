namespace Comp.Api.Data;

/// <summary>The fixed values of a datapoint's <c>source</c>.</summary>
public static class DatapointSources
{
    public static readonly IReadOnlyList<string> All =
        ["self_reported", "offer_letter", "employer_survey", "public_filing", "press_report", "aggregator"];

    public static bool IsKnown(string? source) => source is not null && All.Contains(source);
}

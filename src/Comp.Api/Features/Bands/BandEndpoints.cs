using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Features.Taxonomy;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comp.Api.Features.Bands;

public static class BandEndpoints
{
    public static IEndpointRouteBuilder MapBands(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/bands").WithTags("Bands").RequireAuthorization(Scopes.Read)
            .AddEndpointFilter<BandETagFilter>();

        group.MapGet("/", GetBands)
            .Produces(StatusCodes.Status200OK, contentType: BandCsv.ContentType)
            .Produces(StatusCodes.Status304NotModified)
            .WithName("GetBands")
            .WithSummary("Percentile bands for a cut of the data")
            .WithDescription("Filters select the datapoints (all filters combine; a comma list within one filter means any of them); " +
                "`component` picks the amount; `groupBy` splits the cut into cells. Percentiles are type 7 (PostgreSQL percentile_cont), " +
                "rounded to cents, under the disclosure rules stated in `methodology`: a suppressed cell publishes no figures. " +
                "Each published cell carries a 90% `ci` per percentile and a `confidence` grade. `Accept: text/csv` gives one CSV row per cell. " +
                "The `ETag` changes with the data, the rules or the request; `If-None-Match` answers 304.");

        group.MapPost("/compare", Compare)
            .WithJsonBody<CompareRequest>()
            .Produces(StatusCodes.Status304NotModified)
            .WithName("CompareBands")
            .WithSummary("Compare labelled segments side by side")
            .WithDescription("Up to 20 segments, each with its own filter, one cell each in request order, with the same component, currency " +
                "and agedTo for all. Nothing is written: POST only carries the query.");

        group.MapGet("/position", GetPosition)
            .Produces(StatusCodes.Status304NotModified)
            .WithName("GetPosition")
            .WithSummary("Where an amount falls in a band")
            .WithDescription("The amount's rank on the cell's own published percentile grid (5, 10, …, 95, each under the disclosure " +
                "thresholds), by linear interpolation between neighbouring grid points: the published p50 ranks 50. Below the lowest " +
                "published point the rank is that point's with `bound: below`, above the highest `bound: above`. A suppressed cell gives no rank.");

        group.MapGet("/trend", GetTrend)
            .Produces(StatusCodes.Status200OK, contentType: BandCsv.ContentType)
            .Produces(StatusCodes.Status304NotModified)
            .WithName("GetTrend")
            .WithSummary("Bands per quarter or year")
            .WithDescription("One cell per period of effective date (`group.period` like `2024` or `2024-Q2`), oldest first, each under the " +
                "disclosure rules; periods without data are absent. `groupBy` adds keys within each period. `Accept: text/csv` gives CSV.");

        group.MapGet("/chart.svg", GetChart)
            .Produces(StatusCodes.Status200OK, contentType: "image/svg+xml")
            .WithName("GetBandChart")
            .WithSummary("One segment's band as an SVG chart")
            .WithDescription("The band filters as query parameters (with `groupBy`, one bar per cell), drawn on a log-scale axis.");

        group.MapPost("/chart.svg", PostChart)
            .WithJsonBody<CompareRequest>()
            .Produces(StatusCodes.Status200OK, contentType: "image/svg+xml")
            .WithName("PostBandChart")
            .WithSummary("Several segments as an SVG chart")
            .WithDescription("The compare body; each segment drawn side by side on a log-scale axis with its label and n.");
        return app;
    }

    public static async Task<Results<Ok<BandResponse>, ContentHttpResult, ValidationProblem>> GetBands(
        [AsParameters] BandRequest request, HttpRequest http, TaxonomyCache taxonomy, CompDbContext db, BandService bands, CancellationToken cancellationToken)
    {
        var (query, errors) = await BandQueryParser.ParseAsync(request, taxonomy, db, cancellationToken);
        if (query is null)
            return Problems.Validation(errors);
        var band = await bands.GetAsync(query, cancellationToken);
        if (BandCsv.IsWanted(http))
            return BandCsv.Result(band, query.GroupBy, query.Percentiles);
        return TypedResults.Ok(band);
    }

    public static async Task<Results<Ok<BandResponse>, ValidationProblem>> Compare(
        JsonBody<CompareRequest> body, TaxonomyCache taxonomy, CompDbContext db, BandService bands, CancellationToken cancellationToken)
    {
        var (segments, errors) = await CompareParser.ParseAsync(body.Value!, taxonomy, db, cancellationToken);
        if (errors.Count > 0)
            return Problems.Validation(errors);
        return TypedResults.Ok(await bands.CompareAsync(segments, cancellationToken));
    }

    /// <param name="amount" example="250000">The amount to place, in the band's currency and component.</param>
    /// <param name="request"></param>
    /// <param name="taxonomy"></param>
    /// <param name="db"></param>
    /// <param name="bands"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<PositionResponse>, ValidationProblem>> GetPosition(
        string? amount, [AsParameters] BandRequest request, TaxonomyCache taxonomy, CompDbContext db, BandService bands, CancellationToken cancellationToken)
    {
        var (query, errors) = await BandQueryParser.ParseAsync(request, taxonomy, db, cancellationToken);
        if (!decimal.TryParse(amount, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || value <= 0 || value > 10_000_000_000m)
            errors["amount"] = ["Give the amount to place as a positive number, e.g. 250000."];
        if (!string.IsNullOrEmpty(request.GroupBy))
            errors["groupBy"] = ["A position is read off one cell: remove groupBy and narrow the filters instead."];
        if (!string.IsNullOrEmpty(request.Percentiles))
            errors["percentiles"] = ["A position uses the fixed grid 5, 10, …, 95."];
        if (query is null || errors.Count > 0)
            return Problems.Validation(errors);
        return TypedResults.Ok(await bands.PositionAsync(query, value, cancellationToken));
    }

    /// <param name="interval" example="year"><c>quarter</c> or <c>year</c> (default).</param>
    /// <param name="request"></param>
    /// <param name="http"></param>
    /// <param name="taxonomy"></param>
    /// <param name="db"></param>
    /// <param name="bands"></param>
    /// <param name="cancellationToken"></param>
    public static async Task<Results<Ok<BandResponse>, ContentHttpResult, ValidationProblem>> GetTrend(
        string? interval, [AsParameters] BandRequest request, HttpRequest http, TaxonomyCache taxonomy, CompDbContext db, BandService bands, CancellationToken cancellationToken)
    {
        var (query, errors) = await BandQueryParser.ParseAsync(request, taxonomy, db, cancellationToken);
        interval ??= "year";
        if (interval is not ("quarter" or "year"))
            errors["interval"] = ["Must be quarter or year."];
        if (query is null || errors.Count > 0)
            return Problems.Validation(errors);
        query = query with { Interval = interval, GroupBy = [GroupKeys.Period, .. query.GroupBy] };
        var band = await bands.GetAsync(query, cancellationToken);
        if (BandCsv.IsWanted(http))
            return BandCsv.Result(band, query.GroupBy, query.Percentiles);
        return TypedResults.Ok(band);
    }

    public static async Task<Results<ContentHttpResult, ValidationProblem>> GetChart(
        [AsParameters] BandRequest request, TaxonomyCache taxonomy, CompDbContext db, BandService bands, CancellationToken cancellationToken)
    {
        var (query, errors) = await BandQueryParser.ParseAsync(request with { Percentiles = null }, taxonomy, db, cancellationToken);
        if (query is null)
            return Problems.Validation(errors);
        var band = await bands.GetAsync(query, cancellationToken);
        var label = Describe(request);
        var segments = band.Cells.Select(c => (c.Group.Count == 0 ? label : string.Join(" · ", c.Group.Values.Select(v => v ?? "(none)")), c)).ToList();
        return Svg(band, segments);
    }

    public static async Task<Results<ContentHttpResult, ValidationProblem>> PostChart(
        JsonBody<CompareRequest> body, TaxonomyCache taxonomy, CompDbContext db, BandService bands, CancellationToken cancellationToken)
    {
        var (segments, errors) = await CompareParser.ParseAsync(body.Value! with { Percentiles = null }, taxonomy, db, cancellationToken);
        if (errors.Count > 0)
            return Problems.Validation(errors);
        var band = await bands.CompareAsync(segments, cancellationToken);
        return Svg(band, band.Cells.Select(c => (c.Label!, c)).ToList());
    }

    private static ContentHttpResult Svg(BandResponse band, List<(string, BandCell)> segments) =>
        TypedResults.Content(ChartSvg.Render($"{band.Component} pay, {band.Currency}" + (band.AgedTo is { } d ? $", aged to {d:yyyy-MM-dd}" : ""), segments),
            "image/svg+xml; charset=utf-8");

    private static string Describe(BandRequest r)
    {
        var parts = new[] { r.Role, r.Employer, r.Level, r.Region, r.Source }.Where(p => !string.IsNullOrEmpty(p)).ToList();
        return parts.Count == 0 ? "all datapoints" : string.Join(" · ", parts);
    }
}

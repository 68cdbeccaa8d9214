using System.Security.Claims;
using Comp.Api.Auth;
using Comp.Api.Contracts;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comp.Api.Features.Bands;

public static class BandEndpoints
{
    public static IEndpointRouteBuilder MapBands(this IEndpointRouteBuilder app)
    {
        // Outermost first: the read source names what the store read; parameters are validated
        // before the ETag filter asks the store for its snapshot.
        var group = app.MapGroup("/v1/bands").WithTags("Bands").RequireAuthorization(Scopes.Read)
            .AddEndpointFilter<ReadFromHeaderFilter>()
            .AddEndpointFilter<BandETagFilter>()
            .AddEndpointFilter<BandValidationFilter>()
            .ProducesValidationProblem()
            // In the protected tier, an employer set (comma list, peerGroup, excludeEmployer) of fewer than Disclosure:MinPeerGroupEmployers.
            .ProducesProblem(StatusCodes.Status409Conflict);

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
            .Accepts<CompareRequest>("application/json")
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
            .Accepts<CompareRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "image/svg+xml")
            .WithName("PostBandChart")
            .WithSummary("Several segments as an SVG chart")
            .WithDescription("The compare body; each segment drawn side by side on a log-scale axis with its label and n.");
        return app;
    }

    public static async Task<Results<Ok<BandResponse>, ContentHttpResult>> GetBands(
        [AsParameters] BandFilter filter, [AsParameters] BandOptions options, HttpRequest http, ITaxonomy taxonomy, EmployerDirectory employers,
        BandService bands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var query = options.Apply(await filter.ResolveAsync(await taxonomy.GetAsync(cancellationToken), employers, cancellationToken));
        var band = await bands.GetAsync(query, Protection.TierOf(user), cancellationToken);
        if (BandCsv.IsWanted(http))
            return BandCsv.Result(band, query.GroupBy, query.Percentiles);
        return TypedResults.Ok(band);
    }

    public static async Task<Ok<BandResponse>> Compare(
        JsonBody<CompareRequest> body, ITaxonomy taxonomy, EmployerDirectory employers, BandService bands, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(await bands.CompareAsync(await body.Value!.ResolveAsync(taxonomy, employers, cancellationToken), Protection.TierOf(user), cancellationToken));

    public static async Task<Ok<PositionResponse>> GetPosition(
        [AsParameters] BandFilter filter, [AsParameters] PositionOptions options, ITaxonomy taxonomy, EmployerDirectory employers,
        BandService bands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var query = options.Apply(await filter.ResolveAsync(await taxonomy.GetAsync(cancellationToken), employers, cancellationToken));
        return TypedResults.Ok(await bands.PositionAsync(query, PositionOptionsValidator.PositionAmount(options.Amount)!.Value, Protection.TierOf(user), cancellationToken));
    }

    public static async Task<Results<Ok<BandResponse>, ContentHttpResult>> GetTrend(
        [AsParameters] BandFilter filter, [AsParameters] TrendOptions options, HttpRequest http, ITaxonomy taxonomy, EmployerDirectory employers,
        BandService bands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var query = options.Apply(await filter.ResolveAsync(await taxonomy.GetAsync(cancellationToken), employers, cancellationToken));
        query = query with { Interval = options.Interval ?? Periods.Default, GroupBy = [GroupKeys.Period, .. query.GroupBy] };
        var band = await bands.GetAsync(query, Protection.TierOf(user), cancellationToken);
        if (BandCsv.IsWanted(http))
            return BandCsv.Result(band, query.GroupBy, query.Percentiles);
        return TypedResults.Ok(band);
    }

    public static async Task<ContentHttpResult> GetChart(
        [AsParameters] BandFilter filter, [AsParameters] BandOptions options, ITaxonomy taxonomy, EmployerDirectory employers,
        BandService bands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var query = (options with { Percentiles = null }).Apply(await filter.ResolveAsync(await taxonomy.GetAsync(cancellationToken), employers, cancellationToken));
        var band = await bands.GetAsync(query, Protection.TierOf(user), cancellationToken);
        var label = filter.Describe();
        var segments = band.Cells.Select(c => (c.Group.Count == 0 ? label : string.Join(" · ", c.Group.Values.Select(v => v ?? "(none)")), c)).ToList();
        return Svg(band, segments);
    }

    public static async Task<ContentHttpResult> PostChart(
        JsonBody<CompareRequest> body, ITaxonomy taxonomy, EmployerDirectory employers, BandService bands, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var segments = await (body.Value! with { Percentiles = null }).ResolveAsync(taxonomy, employers, cancellationToken);
        var band = await bands.CompareAsync(segments, Protection.TierOf(user), cancellationToken);
        return Svg(band, band.Cells.Select(c => (c.Label!, c)).ToList());
    }

    private static ContentHttpResult Svg(BandResponse band, List<(string, BandCell)> segments) =>
        TypedResults.Content(ChartSvg.Render($"{band.Component} pay, {band.Currency}" + (band.AgedTo is { } d ? $", aged to {d:yyyy-MM-dd}" : ""), segments),
            "image/svg+xml; charset=utf-8");
}

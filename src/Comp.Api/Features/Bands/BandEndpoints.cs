using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Features.Taxonomy;
using Comp.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comp.Api.Features.Bands;

public static class BandEndpoints
{
    public static IEndpointRouteBuilder MapBands(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/bands").WithTags("Bands").RequireAuthorization(Scopes.Read);

        group.MapGet("/", GetBands)
            .WithName("GetBands")
            .WithSummary("Percentile bands for a cut of the data")
            .WithDescription("Filters select the datapoints (all filters combine; a comma list within one filter means any of them); " +
                "`component` picks the amount; `groupBy` splits the cut into cells. Percentiles are type 7 (PostgreSQL percentile_cont), " +
                "rounded to cents, under the disclosure rules stated in `methodology`: a suppressed cell publishes no figures.");
        return app;
    }

    public static async Task<Results<Ok<BandResponse>, ValidationProblem>> GetBands(
        [AsParameters] BandRequest request, TaxonomyCache taxonomy, CompDbContext db, BandService bands, CancellationToken cancellationToken)
    {
        var (query, errors) = await BandQueryParser.ParseAsync(request, taxonomy, db, cancellationToken);
        if (query is null)
            return Problems.Validation(errors);
        return TypedResults.Ok(await bands.GetAsync(query, cancellationToken));
    }
}

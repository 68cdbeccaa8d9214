using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Comp.Api.Infrastructure;

/// <summary>
/// Documents the problem responses every /v1 operation can give, which no handler declares
/// itself: 401 (a presented key must be valid, on every route), 403 (a key without the route's
/// scope), 429 (rate limits), 503 (database unavailable).
/// </summary>
public sealed class ProblemResponsesFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) != true)
            return;
        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        operation.Responses ??= [];
        void Add(int status, string description)
        {
            var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.ContainsKey(code))
                return;
            operation.Responses[code] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
            };
        }

        Add(StatusCodes.Status401Unauthorized, "The X-Api-Key is missing where the route needs one, or unknown, revoked or malformed.");
        var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        if (policies.Count > 0)
            Add(StatusCodes.Status403Forbidden, $"The key lacks the scope this route needs ({string.Join(", ", policies)}).");
        Add(StatusCodes.Status429TooManyRequests, "Rate limit reached; the Retry-After header says how many seconds to wait.");
        Add(StatusCodes.Status503ServiceUnavailable, "The database is unavailable; retry after the Retry-After header's seconds.");
    }
}

using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Comp.Api.Features.Bands;

/// <summary>
/// Pre-fills Swagger UI's compare and chart bodies with the demo comparison. Program adds it to
/// the Swagger set-up of Infrastructure.ApiDocumentation, which knows no feature.
/// </summary>
public sealed class DemoExamplesFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type != typeof(CompareRequest) || schema is not OpenApiSchema concrete)
            return;
        // Example (singular) is what Swagger UI pre-fills; OpenAPI 3.1 calls it deprecated, not gone.
#pragma warning disable CS0618
        concrete.Example = JsonNode.Parse("""
            {
              "component": "total",
              "currency": "USD",
              "segments": [
                { "label": "ML engineers, California", "filter": { "role": "ml-engineer", "region": "us-ca" } },
                { "label": "Research scientists, OpenAI", "filter": { "role": "research-scientist", "employer": "openai" } },
                { "label": "Research scientists, Meta", "filter": { "role": "research-scientist", "employer": "meta" } }
              ]
            }
            """);
#pragma warning restore CS0618
    }
}

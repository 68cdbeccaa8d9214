using Comp.Api.Auth;
using Microsoft.OpenApi;

namespace Comp.Api.Infrastructure;

public static class ApiDocumentation
{
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Comp",
                Version = "v1",
                Description = "Compensation benchmarking: percentile bands of pay by employer, role, level and region, " +
                    "with disclosure rules that protect the people behind the data.",
            });
            options.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeySecrets.HeaderName,
                Description = "An API key. Its scopes: `read` (bands and the taxonomy), `ingest` (datapoints), `exact` (read, with exact band figures) " +
                    "and `admin` (everything, exact figures included). Band answers are `disclosure: exact` only for keys with `exact` or `admin`; " +
                    "anonymous callers and other keys get `disclosure: protected` figures, read from a differentially private release of each cell. " +
                    "Reads are anonymous unless Auth:AllowAnonymousRead is false; writes need a key.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
            });
            var xml = Path.Combine(AppContext.BaseDirectory, "Comp.Api.xml");
            if (File.Exists(xml))
                options.IncludeXmlComments(xml);
            options.SupportNonNullableReferenceTypes();
            options.OperationFilter<ProblemResponsesFilter>();
            options.SchemaFilter<JsonValueTypeFilter>();
        });
        return services;
    }

    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/swagger/v1/swagger.json", "Comp v1");
            options.DocumentTitle = "Comp API";
        });
        return app;
    }
}

using Comp.Api.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Comp.Api.Infrastructure;

public static class Health
{
    /// <summary>Liveness checks nothing but the process; readiness includes the database.</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).WithTags("Health");
        return app;
    }

    /// <summary>The <c>migrate</c> command: apply migrations and exit, for deployments that migrate in a separate step.</summary>
    public static async Task MigrateAndExitAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
        await DatabaseInitializer.MigrateAsync(db, app.Logger, CancellationToken.None);
        app.Logger.LogInformation("Migrations applied.");
    }
}

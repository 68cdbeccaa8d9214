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

    /// <summary>
    /// The service's commands, run instead of serving: <c>migrate</c> applies the migrations (for
    /// deployments that migrate in a separate step); <c>create-key NAME SCOPE[,SCOPE…]</c> creates an
    /// API key and prints its secret once. Returns false when the arguments name no command.
    /// </summary>
    public static async Task<bool> RunCommandAsync(this WebApplication app, string[] args)
    {
        var command = args.FirstOrDefault(a => !a.StartsWith('-'));
        if (command is not ("migrate" or "create-key"))
            return false;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CompDbContext>();
        await DatabaseInitializer.MigrateAsync(db, app.Logger, CancellationToken.None);
        if (command == "create-key")
        {
            var rest = args.SkipWhile(a => a != "create-key").Skip(1).ToArray();
            var scopes = rest.Length > 1 ? rest[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
            if (rest.Length < 2 || scopes.Length == 0 || !scopes.All(Auth.Scopes.All.Contains))
            {
                Console.Error.WriteLine("usage: Comp.Api create-key NAME SCOPES   (SCOPES: read, ingest, admin, comma-separated)");
                Environment.ExitCode = 2;
                return true;
            }
            var (created, secret) = await Auth.AuthExtensions.CreateKeyAsync(db, rest[0], scopes, CancellationToken.None);
            Console.WriteLine($"id:     {created.Id}");
            Console.WriteLine($"scopes: {string.Join(",", created.Scopes)}");
            Console.WriteLine($"key:    {secret}");
            Console.WriteLine("The key is shown once; store it now.");
        }
        else
        {
            app.Logger.LogInformation("Migrations applied.");
        }
        return true;
    }
}

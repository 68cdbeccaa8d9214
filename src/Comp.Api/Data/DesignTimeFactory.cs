using Comp.Api.Data.Seed;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Comp.Api.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a database or the web host.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CompDbContext>
{
    public CompDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<CompDbContext>()
        .UseNpgsql("Host=localhost;Database=comp_design")
        .UseSnakeCaseNamingConvention()
        .UseCompSeeding() // so that `dotnet ef database update` seeds like the service does
        .Options);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Comp.Api.Tests.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Comp.Api.Tests;

/// <summary>
/// The OpenAPI document is part of the contract: it is committed as openapi/comp.v1.json and
/// reviewed like code. The served document must equal it, and it must validate.
/// </summary>
public sealed class OpenApiContractTests(CompApiFactory factory) : ApiTest(factory)
{
    public const string RegenerateCommand = "COMP_UPDATE_OPENAPI=1 deploy/local/test.sh --filter FullyQualifiedName~OpenApiContractTests";

    private static string CommittedPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Comp.sln")))
                return Path.Combine(dir.FullName, "openapi", "comp.v1.json");
        }
        throw new DirectoryNotFoundException("No Comp.sln above the test binaries.");
    }

    private async Task<string> ServedAsync()
    {
        var json = await Factory.CreateClient().GetStringAsync("/swagger/v1/swagger.json");
        // Normalised: indented, so a diff of the committed file reads line by line.
        return JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    [Fact]
    public async Task The_served_document_equals_the_committed_one()
    {
        var served = await ServedAsync();
        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("COMP_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, served);
            return;
        }
        Assert.True(File.Exists(path), $"openapi/comp.v1.json is missing. Generate it with: {RegenerateCommand}");
        var committed = await File.ReadAllTextAsync(path);
        Assert.True(committed == served,
            $"The API's OpenAPI document differs from openapi/comp.v1.json. If the change is intended, regenerate the file with: {RegenerateCommand}");
    }

    [Fact]
    public async Task The_document_validates_with_no_errors()
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await ServedAsync()));
        var result = await OpenApiDocument.LoadAsync(stream, "json", new OpenApiReaderSettings());

        Assert.Empty(result.Diagnostic?.Errors ?? []);
        var errors = result.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    [Fact]
    public async Task Every_operation_has_a_summary_a_description_and_its_error_responses()
    {
        var document = JsonNode.Parse(await ServedAsync())!;
        var missing = new List<string>();
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                var name = $"{method.ToUpperInvariant()} {path}";
                if (operation!["summary"] is null && !path.StartsWith("/health")) missing.Add($"{name}: summary");
                if (operation["description"] is null && !path.StartsWith("/health")) missing.Add($"{name}: description");
                foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
                {
                    if (parameter!["description"] is null)
                        missing.Add($"{name}: parameter {parameter["name"]} has no description");
                }
            }
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }
}

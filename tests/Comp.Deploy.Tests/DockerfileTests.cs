using System.Text.Json;
using System.Xml.Linq;

namespace Comp.Deploy.Tests;

public class DockerfileTests
{
    /// <summary>The Dockerfile's instructions in order: continuation lines joined, comments left out.</summary>
    static readonly IReadOnlyList<(string Keyword, string Arguments)> Instructions = Parse(File.ReadAllLines(Repo.Dockerfile));

    static IReadOnlyList<(string, string)> Parse(string[] lines)
    {
        var instructions = new List<(string, string)>();
        var pending = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
                continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var whole = (pending + line).Trim();
            pending = "";
            var space = whole.IndexOfAny([' ', '\t']);
            instructions.Add(space < 0 ? (whole.ToUpperInvariant(), "") : (whole[..space].ToUpperInvariant(), whole[(space + 1)..].Trim()));
        }
        return instructions;
    }

    static IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    [Fact]
    public void Dockerfile_builds_with_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var stages = Arguments("FROM").ToList();

        Assert.True(stages.Count >= 2, "a build stage and a runtime stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stages[^1]);
    }

    [Fact]
    public void Dockerfile_runs_the_service_as_a_user_that_is_not_root()
    {
        var lastFrom = Instructions.ToList().FindLastIndex(i => i.Keyword == "FROM");
        var user = Assert.Single(Instructions.Skip(lastFrom), i => i.Keyword == "USER").Arguments;

        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0", "" });
    }

    [Fact]
    public void Dockerfile_has_a_healthcheck_on_health_live()
    {
        Assert.Contains("/health/live", Assert.Single(Arguments("HEALTHCHECK")));
    }

    [Fact]
    public void Dockerfile_entrypoint_runs_Comp_Api_dll()
    {
        var entrypoint = JsonSerializer.Deserialize<string[]>(Assert.Single(Arguments("ENTRYPOINT")));

        Assert.Equal(["dotnet", "Comp.Api.dll"], entrypoint!);
        Assert.Contains("8080", Assert.Single(Arguments("EXPOSE")));
    }

    /// <summary>deploy/runtime.env: the API process's runtime settings, as VAR=value.</summary>
    static IReadOnlyList<string> RuntimeSettings() =>
        File.ReadAllLines(Path.Combine(Repo.Deploy, "runtime.env"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

    [Fact]
    public void The_image_runs_the_api_with_the_runtime_settings_of_runtime_env()
    {
        var settings = RuntimeSettings();
        Assert.Contains("DOTNET_GCgen0size=0x4000000", settings);
        var lastFrom = Instructions.ToList().FindLastIndex(i => i.Keyword == "FROM");
        var env = Instructions.Skip(lastFrom).Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .ToList();

        Assert.All(settings, setting => Assert.Contains(setting, env));
    }

    [Fact]
    public void Every_script_that_starts_the_api_applies_the_runtime_settings()
    {
        // The scripts that run Comp.Api.dll as a process of their own (api.sh itself only names it to stop it).
        var everywhere = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        var scripts = new[] { Repo.Deploy, Path.Combine(Repo.Root, "tests") }
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*.sh", everywhere))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f).Contains("Comp.Api.dll\" --urls", StringComparison.Ordinal))
            .Select(Repo.Relative)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(["deploy/local/reliability.sh", "deploy/local/run.sh", "tests/Comp.Benchmarks/api.sh"], scripts);
        Assert.All(scripts, script => Assert.Contains("comp_api_runtime_env", File.ReadAllText(Path.Combine(Repo.Root, script))));
    }

    [Fact]
    public void Dockerfile_copies_every_project_the_api_references_before_restoring()
    {
        var restore = Instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "a dotnet restore step");
        var copiedFirst = Instructions.Take(restore).Where(i => i.Keyword == "COPY").Select(i => i.Arguments).ToList();

        Assert.All(ApiProjectGraph(), project => Assert.Contains(copiedFirst, c => c.StartsWith(project + " ", StringComparison.Ordinal)));
        Assert.Contains(copiedFirst, c => c.Contains("Directory.Packages.props", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_needs_no_frontend_image_from_a_registry()
    {
        // A `# syntax=` directive makes BuildKit pull that frontend image before it reads a line:
        // a build with no registry in reach fails on it, and the built-in frontend reads this file.
        var directives = File.ReadLines(Repo.Dockerfile).TakeWhile(l => l.StartsWith('#')).Select(l => l.TrimStart('#').Trim());

        Assert.DoesNotContain(directives, d => d.StartsWith("syntax", StringComparison.OrdinalIgnoreCase) && d.Contains('='));
    }

    [Fact]
    public void Dockerignore_keeps_host_build_outputs_and_git_out_of_the_context()
    {
        var patterns = File.ReadAllLines(Path.Combine(Repo.Root, ".dockerignore")).Select(l => l.Trim()).ToHashSet();

        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        Assert.Contains(".git/", patterns);
        Assert.Contains(".local/", patterns);
    }

    /// <summary>src/Comp.Api's project file and every project it references, directly or not, relative to the root.</summary>
    static IReadOnlySet<string> ApiProjectGraph()
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.Combine(Repo.Root, "src", "Comp.Api", "Comp.Api.csproj")]);
        while (pending.TryPop(out var project))
        {
            if (!found.Add(Repo.Relative(project)))
                continue;
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar);
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include)));
            }
        }
        return found;
    }
}

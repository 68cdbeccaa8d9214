using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Comp.Api.Auth;
using Comp.Api.Data;
using Comp.Api.Features.Bands;
using Comp.Api.Features.Bands.Engine;
using Comp.Api.Features.Bands.Index;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using Microsoft.Extensions.Configuration;

namespace Comp.Deploy.Tests;

/// <summary>
/// The service's defaults are written once, in its options types. The configuration files
/// (appsettings.json, the k8s ConfigMap and the Deployment's env) hold only settings that change
/// a default on purpose: every such setting names a real option, differs from its default, and is
/// listed below with the reason. A copy of a default is refused (it would keep the old value
/// once the default changes), and so is a difference nobody meant (a default changed in code
/// while a file still says the old one).
/// </summary>
public partial class ConfigurationDefaultsTests
{
    /// <summary>The configuration sections of the service and the options type each binds to.</summary>
    static readonly Dictionary<string, Type> OptionsBySection = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Auth"] = typeof(AuthOptions),
        ["Database"] = typeof(DatabaseOptions),
        ["Demo"] = typeof(DemoOptions),
        ["Telemetry"] = typeof(TelemetryOptions),
        ["RateLimits"] = typeof(RateLimitOptions),
        ["ForwardedHeaders"] = typeof(ForwardedHeadersSettings),
        ["Aging"] = typeof(AgingOptions),
        ["Disclosure"] = typeof(DisclosureRules),
        ["BandIndex"] = typeof(BandIndexOptions),
        ["Bands"] = typeof(BandLimits),
        ["Privacy"] = typeof(PrivacyOptions),
    };

    /// <summary>ASP.NET Core's own settings, which have no options type of ours to hold a default.</summary>
    static readonly string[] FrameworkSections = ["Logging", "AllowedHosts"];

    /// <summary>Settings that change a default on purpose: "file: Section:Key" and why.</summary>
    static readonly Dictionary<string, string> OnPurpose = new(StringComparer.OrdinalIgnoreCase)
    {
        ["deploy/k8s/deployment.yaml: Database:MigrateOnStartup"] = "the migration Job migrates; replicas starting together must not race to do it",
    };

    sealed record Setting(string File, string Key, string? Value)
    {
        public string Name => $"{File}: {Key}";
    }

    static IEnumerable<Setting> AppSettings()
    {
        const string File = "src/Comp.Api/appsettings.json";
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(Repo.Root, File)));
        return Leaves(json.RootElement, "").Select(l => new Setting(File, l.Key, l.Value)).ToList();

        static IEnumerable<(string Key, string? Value)> Leaves(JsonElement element, string path) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Leaves(p.Value, path.Length == 0 ? p.Name : $"{path}:{p.Name}")),
            JsonValueKind.Array => element.EnumerateArray().SelectMany((e, i) => Leaves(e, $"{path}:{i}")),
            JsonValueKind.String => [(path, element.GetString())],
            JsonValueKind.Null => [(path, null)],
            _ => [(path, element.GetRawText())],
        };
    }

    static IEnumerable<Setting> ConfigMap()
    {
        var configMap = Repo.K8sResource("ConfigMap");
        return configMap.Keys("data").Select(k => new Setting("deploy/k8s/configmap.yaml", k.Replace("__", ":"), configMap.Str("data", k)));
    }

    static IEnumerable<Setting> DeploymentEnv()
    {
        var api = Assert.Single(Repo.K8sResource("Deployment").Items("spec", "template", "spec", "containers"));
        return api.Items("env")
            .Where(e => e.At("valueFrom") is null)
            .Select(e => new Setting("deploy/k8s/deployment.yaml", e.Str("name")!.Replace("__", ":"), e.Str("value")));
    }

    static IEnumerable<Setting> AllSettings() => [.. AppSettings(), .. ConfigMap(), .. DeploymentEnv()];

    /// <summary>What is wrong with a setting outside the framework's sections, or null.</summary>
    static string? Problem(Setting setting)
    {
        var parts = setting.Key.Split(':');
        if (!OptionsBySection.TryGetValue(parts[0], out var type))
            return $"{setting.Name} is in no section of the service's options (add its options type to {nameof(OptionsBySection)} if it is new)";
        var property = parts.Length == 2
            ? type.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
            : null;
        if (property is null)
            return $"{setting.Name} is not a property of {type.Name}";

        var bound = Activator.CreateInstance(type)!;
        new ConfigurationBuilder().AddInMemoryCollection([new(setting.Key, setting.Value)]).Build()
            .GetSection(parts[0]).Bind(bound, o => o.ErrorOnUnknownConfiguration = true);
        var value = property.GetValue(bound);
        var byDefault = property.GetValue(Activator.CreateInstance(type));
        if (Equals(value, byDefault))
            return $"{setting.Name} = {setting.Value} is the default of {type.Name}.{property.Name}: remove it";
        if (!OnPurpose.ContainsKey(setting.Name))
            return $"{setting.Name} = {setting.Value} differs from the default of {type.Name}.{property.Name} ({byDefault ?? "null"}): " +
                $"change the default, remove the setting, or list it in {nameof(OnPurpose)} with the reason";
        return null;
    }

    [Fact]
    public void Every_setting_in_appsettings_the_configmap_and_the_deployment_changes_a_default_on_purpose()
    {
        var settings = AllSettings().Where(s => !FrameworkSections.Contains(s.Key.Split(':')[0], StringComparer.OrdinalIgnoreCase)).ToList();

        var problems = settings.Select(Problem).OfType<string>().ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_setting_listed_as_on_purpose_is_still_set()
    {
        var names = AllSettings().Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.All(OnPurpose.Keys, name => Assert.Contains(name, names));
    }

    [Fact]
    public void The_sections_above_are_the_ones_the_service_reads()
    {
        var read = Directory.EnumerateFiles(Path.Combine(Repo.Root, "src", "Comp.Api"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => GetSection().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.Equal(OptionsBySection.Keys.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
    }

    [GeneratedRegex("""GetSection\("([A-Za-z]+)"\)""")]
    private static partial Regex GetSection();
}

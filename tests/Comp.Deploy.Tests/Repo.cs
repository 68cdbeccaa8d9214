using YamlDotNet.RepresentationModel;

namespace Comp.Deploy.Tests;

/// <summary>The checkout the tests run from, and its deployment files read as YAML.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");
    public static string K8s => Path.Combine(Deploy, "k8s");
    public static string ComposeFile => Path.Combine(Deploy, "docker-compose.yml");
    public static string Dockerfile => Path.Combine(Deploy, "Dockerfile");

    /// <summary>Every YAML file under deploy/, relative to the repository root with '/'.</summary>
    public static IReadOnlyList<string> YamlFiles() =>
        Directory.EnumerateFiles(Deploy, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(Relative)
            .Order(StringComparer.Ordinal)
            .ToList();

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    public static IReadOnlyList<YamlDocument> LoadYaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.ToList();
    }

    /// <summary>The Kubernetes resources that kustomization.yaml applies, each a top-level mapping.</summary>
    public static IReadOnlyList<YamlMappingNode> K8sResources() =>
        KustomizationResources()
            .SelectMany(file => LoadYaml(Path.Combine(K8s, file)))
            .Select(d => (YamlMappingNode)d.RootNode)
            .ToList();

    public static IReadOnlyList<string> KustomizationResources() =>
        ((YamlMappingNode)LoadYaml(Path.Combine(K8s, "kustomization.yaml")).Single().RootNode)
            .Items("resources").Select(r => ((YamlScalarNode)r).Value!).ToList();

    public static YamlMappingNode K8sResource(string kind) =>
        Assert.Single(K8sResources(), r => r.Str("kind") == kind);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Comp.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Comp.sln above {AppContext.BaseDirectory}.");
    }
}

public static class YamlNavigation
{
    /// <summary>The node at a path of mapping keys, or null where one is missing.</summary>
    public static YamlNode? At(this YamlNode node, params string[] path)
    {
        YamlNode? current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out current))
                return null;
        }
        return current;
    }

    public static string? Str(this YamlNode node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlNode> Items(this YamlNode node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    public static IReadOnlyList<string> Keys(this YamlNode node, params string[] path) =>
        node.At(path) is YamlMappingNode map ? map.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList() : [];

    /// <summary>A sequence of scalars (a command, a list of strings) as strings.</summary>
    public static IReadOnlyList<string> Strings(this YamlNode node, params string[] path) =>
        node.Items(path).Select(i => ((YamlScalarNode)i).Value!).ToList();
}

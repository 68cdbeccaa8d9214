using YamlDotNet.RepresentationModel;

namespace Comp.Deploy.Tests;

public class DeployYamlTests
{
    public static TheoryData<string> YamlFiles() => new(Repo.YamlFiles());

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Every_yaml_file_under_deploy_parses_into_mappings(string file)
    {
        var documents = Repo.LoadYaml(Path.Combine(Repo.Root, file));

        Assert.NotEmpty(documents);
        Assert.All(documents, d => Assert.IsType<YamlMappingNode>(d.RootNode));
    }

    [Fact]
    public void The_compose_file_and_the_kubernetes_manifests_are_among_the_yaml_files()
    {
        var files = Repo.YamlFiles();

        Assert.Contains("deploy/docker-compose.yml", files);
        Assert.Contains("deploy/k8s/kustomization.yaml", files);
        Assert.Contains("deploy/k8s/deployment.yaml", files);
    }

    [Fact]
    public void Kustomization_lists_exactly_the_k8s_files_that_exist_except_examples()
    {
        var onDisk = Directory.EnumerateFiles(Repo.K8s)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Where(f => f != "kustomization.yaml" && !f.Contains(".example.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(onDisk, Repo.KustomizationResources().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_kubernetes_resource_has_an_api_version_a_kind_and_a_name_in_the_comp_namespace()
    {
        Assert.All(Repo.K8sResources(), r =>
        {
            Assert.False(string.IsNullOrEmpty(r.Str("apiVersion")));
            Assert.False(string.IsNullOrEmpty(r.Str("kind")));
            Assert.False(string.IsNullOrEmpty(r.Str("metadata", "name")));
            if (r.Str("kind") != "Namespace")
                Assert.Equal("comp", r.Str("metadata", "namespace"));
        });
    }
}

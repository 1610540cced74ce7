using Microsoft.Extensions.Configuration;
using Skylark.Events.Hosting;

namespace Skylark.Events.State;

/// <summary>The node's state as a deployable reads it: <c>--node</c>, <c>--redis</c>, the password, the key prefix.</summary>
public static class StateSettings
{
    public static readonly Setting NodeSink = new("node-sink", "This node's StateSink, for a function running apart from it: the function asks it to pull other nodes' state into the node's Redis.");

    /// <summary>Reads the settings into a configure action; problems are collected in <paramref name="settings"/>.</summary>
    public static Action<StateOptions> Read(ServiceConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var node = settings.Required(CommonSettings.Node);
        var redis = settings.Required(CommonSettings.Redis);
        var password = settings.GetSecret(CommonSettings.RedisPassword, CommonSettings.RedisPasswordFile);
        var prefix = settings.Get(CommonSettings.KeyPrefix);
        if (node is not null && !Contracts.StateRef.IsValidSegment(node))
        {
            settings.Problem(CommonSettings.Node, $"must match {Contracts.StateRef.SegmentPattern}; got '{node}'");
        }

        if (prefix is not null && !BundleKeys.IsValidPrefix(prefix))
        {
            settings.Problem(CommonSettings.KeyPrefix, $"must match {BundleKeys.PrefixPattern}; got '{prefix}'");
        }

        return options =>
        {
            options.Node = node ?? options.Node;
            options.Configuration = redis ?? options.Configuration;
            options.Password = password ?? options.Password;
            options.KeyPrefix = prefix ?? options.KeyPrefix;
        };
    }

    /// <summary>Reads the settings from <paramref name="configuration"/>.</summary>
    /// <exception cref="ServiceConfigurationException">A setting is missing or malformed.</exception>
    public static Action<StateOptions> Read(IConfiguration configuration)
    {
        var settings = new ServiceConfiguration(configuration);
        var configure = Read(settings);
        settings.ThrowIfInvalid();
        return configure;
    }
}

using Skylark.Events.CameraIngest;
using Skylark.Events.Lab.Hosting;
using Skylark.Events.State;

namespace Skylark.Events.Lab.Up;

/// <summary>
/// The ACL users a cluster's Redis servers start with: one per function deployed anywhere in the plan (a function
/// that moves between nodes finds its user on every node), the StateSink's, the camera ingest's and the Predictor's
/// (its model key only). The lab itself keeps Redis' <c>default</c> user (the <see cref="RedisProcess.Password"/>)
/// for its CLI and tests.
/// </summary>
public static class ClusterRedisUsers
{
    public const string StateSink = "statesink";
    public const string CameraIngest = "camera-ingest";
    public const string Predictor = "predictor";

    /// <summary>The users of every Redis of <paramref name="plan"/>, with fresh passwords.</summary>
    public static IReadOnlyList<RedisUser> For(ClusterPlan plan, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var users = new List<RedisUser>
        {
            RedisUser.Create(StateSink, RedisAclRules.ForStateSink(keyPrefix)),
            RedisUser.Create(CameraIngest, RedisAclRules.ForFunction(CameraIngestOptions.Function, keyPrefix)),
            RedisUser.Create(Predictor, RedisAclRules.ForPredictor(new Skylark.Events.Predictor.PredictorOptions().ModelKey)),
        };
        users.AddRange(plan.Instances
            .Where(i => i.IsFunction)
            .Select(i => i.Deployable)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(function => RedisUser.Create(function, RedisAclRules.ForFunction(function, keyPrefix))));
        return users;
    }

    /// <summary>The user <paramref name="instance"/> connects as; null for the lab's own (the <c>default</c> user).</summary>
    public static string? UserOf(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Deployable switch
        {
            ServiceInstance.StateSink => StateSink,
            ServiceInstance.CameraIngest => CameraIngest,
            ServiceInstance.Predictor => Predictor,
            _ when instance.IsFunction => instance.Deployable,
            _ => null,
        };
    }
}

namespace Skylark.Events.Predictor;

/// <summary>How the Predictor decides where state goes (<see cref="PredictorOptions.Policy"/>).</summary>
public enum PredictorPolicy
{
    /// <summary>
    /// This project's policy: learns which function follows and where it runs, sends state ahead of the next
    /// function and one step further (<c>awaitWrite</c>); the election only when nothing is known yet (docs/predictor.md).
    /// </summary>
    Predictive,

    /// <summary>
    /// Databelt's policy: the next function from the Triggers, its node from the topology's static placement, an SLO
    /// election along the path to it, and the workflow's co-located states sent together at each completion; nothing
    /// learned (docs/databelt.md).
    /// </summary>
    Databelt,
}

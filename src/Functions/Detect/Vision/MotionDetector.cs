using OpenCvSharp;

namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>
/// Background-subtraction motion detector. Stateless: the background model comes in with the frame and the updated
/// model goes out with the detections, so the same frame and model always give the same result wherever it runs.
/// </summary>
public sealed class MotionDetector
{
    private readonly MotionDetectorSettings settings;

    public MotionDetector(MotionDetectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.settings = settings;
    }

    public MotionDetectorSettings Settings => settings;

    /// <summary>
    /// Detects motion in an encoded image (any format OpenCV reads; it is converted to grayscale), given the camera's
    /// model so far (<c>null</c> for a new camera). Throws <see cref="InvalidDetectFrameException"/> for bad input.
    /// </summary>
    public MotionDetectionResult Detect(ReadOnlyMemory<byte> grayscaleImage, BackgroundModel? model)
    {
        using var gray = Decode(grayscaleImage.Span);
        return Detect(gray, model);
    }

    private MotionDetectionResult Detect(Mat gray, BackgroundModel? model)
    {
        var people = settings.DetectPeople ? PeopleDetector.Detect(gray) : [];
        if (model is null || model.Width != gray.Width || model.Height != gray.Height)
        {
            return new MotionDetectionResult([], people, BackgroundModel.Initialize(gray, settings.InitialVariance), WarmingUp: true, ModelReset: true);
        }

        var warmingUp = model.FramesSeen < settings.WarmupFrames;
        using var frame = new Mat();
        gray.ConvertTo(frame, MatType.CV_32FC1);
        using var mean = model.MeanToMat();
        using var variance = model.VarianceToMat();
        using var difference = new Mat();
        Cv2.Subtract(frame, mean, difference);
        using var squared = new Mat();
        Cv2.Multiply(difference, difference, squared);

        // Foreground test: (frame - mean)² > k² · max(variance, floor).
        using var limit = new Mat();
        Cv2.Max(variance, settings.MinVariance, limit);
        Cv2.Multiply(limit, new Scalar(settings.Threshold * settings.Threshold), limit);
        using var foreground = new Mat();
        Cv2.Compare(squared, limit, foreground, CmpTypes.GT);

        using var meanRate = new Mat(gray.Rows, gray.Cols, MatType.CV_32FC1);
        using var varianceRate = new Mat(gray.Rows, gray.Cols, MatType.CV_32FC1);
        List<Detection> detections = [];
        if (warmingUp)
        {
            // Averaging the first frames (rate 1/n) converges in WarmupFrames instead of ~1/LearningRate frames.
            var rate = new Scalar(Math.Max(settings.LearningRate, 1.0 / (model.FramesSeen + 1)));
            meanRate.SetTo(rate);
            varianceRate.SetTo(rate);

            // Objects walk through the scene while it warms up. Winsorizing the update at k·σ bounds how much one
            // passing object can shift a pixel's mean or inflate its variance, while the variance can still grow (by at
            // most a factor per frame) where the first frame itself held an object that has since left.
            using var sigmaLimit = new Mat();
            Cv2.Sqrt(limit, sigmaLimit);
            Cv2.Min(difference, sigmaLimit, difference);
            Cv2.Multiply(sigmaLimit, new Scalar(-1), sigmaLimit);
            Cv2.Max(difference, sigmaLimit, difference);
            Cv2.Min(squared, limit, squared);
        }
        else
        {
            // Selective update: what is foreground now is mostly not background, so it is learned far more slowly.
            meanRate.SetTo(new Scalar(settings.LearningRate));
            meanRate.SetTo(new Scalar(settings.ForegroundLearningRate), foreground);
            varianceRate.SetTo(new Scalar(settings.LearningRate));
            varianceRate.SetTo(new Scalar(settings.ForegroundLearningRate), foreground);
            detections = FindMovingObjects(gray, model, limit, foreground, meanRate);
        }

        // mean += rate·d ; variance += rate·(d² − variance)  (d against the old mean, as in a running Gaussian)
        using var step = new Mat();
        Cv2.Multiply(meanRate, difference, step);
        Cv2.Add(mean, step, mean);
        Cv2.Subtract(squared, variance, step);
        Cv2.Multiply(varianceRate, step, step);
        Cv2.Add(variance, step, variance);
        var framesSeen = model.FramesSeen == long.MaxValue ? long.MaxValue : model.FramesSeen + 1;
        var updated = BackgroundModel.FromMats(mean, variance, gray, framesSeen);
        return new MotionDetectionResult(detections, people, updated, warmingUp, ModelReset: false);
    }

    /// <summary>
    /// Foreground blobs that moved since the previous frame. A blob with (almost) no frame-to-frame change is a ghost
    /// (background uncovered by something the model had learned, typically while warming up) or an object that stopped:
    /// it is not reported, and its mean is learned at <see cref="MotionDetectorSettings.StaticLearningRate"/> so it
    /// fades into the background within a few frames instead of persisting.
    /// </summary>
    private List<Detection> FindMovingObjects(Mat gray, BackgroundModel model, Mat limit, Mat foreground, Mat meanRate)
    {
        using var blobs = foreground.Clone();
        if (settings.OpenKernel > 0)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(settings.OpenKernel, settings.OpenKernel));
            Cv2.MorphologyEx(blobs, blobs, MorphTypes.Open, kernel);
        }

        if (settings.CloseKernel > 0)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(settings.CloseKernel, settings.CloseKernel));
            Cv2.MorphologyEx(blobs, blobs, MorphTypes.Close, kernel);
        }

        // Changed since the previous frame: (frame − previous)² > 2·k²·max(variance, floor); the difference of two
        // noisy frames has twice the noise variance.
        using var previous = model.PreviousToMat();
        using var absoluteChange = new Mat();
        Cv2.Absdiff(gray, previous, absoluteChange);
        using var change = new Mat();
        absoluteChange.ConvertTo(change, MatType.CV_32FC1);
        Cv2.Multiply(change, change, change);
        using var changeLimit = new Mat();
        Cv2.Multiply(limit, new Scalar(2), changeLimit);
        using var changed = new Mat();
        Cv2.Compare(change, changeLimit, changed, CmpTypes.GT);

        Cv2.FindContours(blobs, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var detections = new List<Detection>(contours.Length);
        using var blob = new Mat();
        foreach (var contour in contours)
        {
            var rect = Cv2.BoundingRect(contour);
            if ((long)rect.Width * rect.Height < settings.MinArea)
            {
                continue;
            }

            using var blobRegion = new Mat(blobs, rect);
            var pixels = Cv2.CountNonZero(blobRegion);
            if (pixels < settings.MinArea)
            {
                continue;
            }

            using var changedRegion = new Mat(changed, rect);
            Cv2.BitwiseAnd(changedRegion, blobRegion, blob);
            if (Cv2.CountNonZero(blob) < pixels * settings.StaticFraction)
            {
                using var rateRegion = new Mat(meanRate, rect);
                rateRegion.SetTo(new Scalar(settings.StaticLearningRate), blobRegion);
                continue;
            }

            detections.Add(new Detection(new BoundingBox(rect.X, rect.Y, rect.Width, rect.Height), pixels));
        }

        // Largest first; position breaks ties so the order never depends on contour traversal.
        detections.Sort(static (a, b) =>
        {
            var byArea = b.Area.CompareTo(a.Area);
            return byArea != 0 ? byArea : (a.Box.Y, a.Box.X).CompareTo((b.Box.Y, b.Box.X));
        });
        if (detections.Count > settings.MaxDetections)
        {
            detections.RemoveRange(settings.MaxDetections, detections.Count - settings.MaxDetections);
        }

        return detections;
    }

    private Mat Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new InvalidDetectFrameException("Frame is empty (0 bytes).");
        }

        if (data.Length > settings.MaxFrameBytes)
        {
            throw new InvalidDetectFrameException($"Frame is {data.Length} bytes, over the limit of {settings.MaxFrameBytes} bytes.");
        }

        Mat gray;
        try
        {
            gray = Cv2.ImDecode(data, ImreadModes.Grayscale);
        }
        catch (OpenCVException e)
        {
            throw new InvalidDetectFrameException($"Frame could not be decoded: {e.ErrMsg}", e);
        }

        if (gray.Empty())
        {
            gray.Dispose();
            throw new InvalidDetectFrameException($"Frame ({data.Length} bytes) is not a decodable image.");
        }

        if (gray.Width > BackgroundModel.MaxDimension || gray.Height > BackgroundModel.MaxDimension)
        {
            var size = $"{gray.Width}x{gray.Height}";
            gray.Dispose();
            throw new InvalidDetectFrameException(
                $"Frame is {size}, over the limit of {BackgroundModel.MaxDimension} pixels per side; detect expects a preprocessed frame.");
        }

        return gray;
    }
}

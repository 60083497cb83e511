"""What the Kubernetes-family adapters share: reading Kubernetes objects and the pods they run.

Every adapter for a format made of Kubernetes objects (Deployments, KServe,
Ray, Kubeflow, Seldon, KAITO) reads the same things the same way: the
object's group, kind and name (:mod:`.objects`), its ``greengate.dev/*``
annotations (:mod:`.annotations`), and the pod specs it holds
(:mod:`.pods`, built on :mod:`.containers`, :mod:`.resources`,
:mod:`.scheduling`, :mod:`.engines` and :mod:`.shell`). Values read come as
:class:`~.values.Found`, which knows where it is written. These modules are
helpers: they import no adapter, so adapters share them without depending
on each other.
"""

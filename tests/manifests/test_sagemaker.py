"""SageMaker endpoints in CloudFormation: the corpus template and its stage file, then edge cases."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from support import FILES as CORPUS
from support import adapt_file, adapt_text, no_problems

from greengate.load import load_bytes
from greengate.manifests import adapter_for
from greengate.manifests.sagemaker import SageMakerCloudFormationAdapter
from greengate.manifests.vocab import task_from_hf
from greengate.records.deployment import Deployment, FactSource

DEPLOY = (
    CORPUS
    / "aws-samples__sagemaker-custom-project-templates/mlops-shadow-deployment/seedcode/deploy"
)
ADAPTER = SageMakerCloudFormationAdapter()


def read_file(path: Path) -> list[Deployment]:
    return no_problems(adapt_file(path, SageMakerCloudFormationAdapter))


def read_text(text: str, name: str = "template.yml") -> list[Deployment]:
    deployments, _ = adapt_text(text, ADAPTER, name, lstrip=False, must_match=False)
    return deployments


def test_corpus_template_resolved_from_its_stage_file() -> None:
    # Checked by eye: DeployShadow is "false" in staging-config.json, so !If IsShadow takes its
    # second branch, one ProductionTraffic variant with !Ref EndpointInstanceType/Count.
    (deployment,) = read_file(DEPLOY / "endpoint-config-template.yml")
    assert deployment.name == "EndpointConfig/ProductionTraffic [staging-config.json]"
    assert deployment.kind == "AWS::SageMaker::EndpointConfig"
    instance_type = deployment.facts["hardware.instanceType"]
    assert instance_type.value == "ml.m5.large"
    assert instance_type.location.file.endswith("staging-config.json")
    assert instance_type.location.line == 6
    assert "!Ref EndpointInstanceType resolved from staging-config.json:6" in instance_type.detail
    assert "condition IsShadow is false" in instance_type.detail
    assert deployment.value("replicas.min") == 1
    assert deployment.facts["replicas.max"].location.line == 5
    assert deployment.value("cloud.provider") == "aws"
    assert (
        deployment.facts["cloud.provider"].location.line == 72
    )  # Type: AWS::SageMaker::EndpointConfig
    assert deployment.location.line == 105  # VariantName of the chosen branch
    # The model is a model package (!Ref ModelPackageName): no name greengate can size.
    assert "model.name" not in deployment.facts
    assert deployment.where("model.name").line == 104
    assert "region" not in " ".join(deployment.facts)


def test_template_alone_stays_unknown(tmp_path: Path) -> None:
    template = tmp_path / "endpoint-config-template.yml"
    shutil.copy(DEPLOY / "endpoint-config-template.yml", template)
    (deployment,) = read_file(template)
    # DeployShadow has no Default and no stage file: the !If cannot be evaluated.
    assert "hardware.instanceType" not in deployment.facts
    assert "cannot evaluate" in deployment.hint("hardware.instanceType")
    assert deployment.value("cloud.provider") == "aws"


def test_stage_files_give_one_deployment_each(tmp_path: Path) -> None:
    template = tmp_path / "template.yml"
    template.write_text(
        textwrap.dedent(
            """\
            Parameters:
              InstanceType:
                Type: String
                Default: ml.g5.xlarge
              Count:
                Type: Number
            Resources:
              Config:
                Type: AWS::SageMaker::EndpointConfig
                Properties:
                  ProductionVariants:
                    - VariantName: AllTraffic
                      InstanceType: !Ref InstanceType
                      InitialInstanceCount: !Ref Count
                      ModelName: !GetAtt Model.ModelName
              Model:
                Type: AWS::SageMaker::Model
                Properties:
                  PrimaryContainer:
                    Environment:
                      HF_MODEL_ID: meta-llama/Llama-3.1-8B-Instruct
                      HF_TASK: text-generation
                      SM_NUM_GPUS: "4"
            """
        )
    )
    (tmp_path / "prod.json").write_text(
        json.dumps(
            [
                {"ParameterKey": "InstanceType", "ParameterValue": "ml.g5.12xlarge"},
                {"ParameterKey": "Count", "ParameterValue": "3"},
            ],
            indent=2,
        )
    )
    (tmp_path / "staging.json").write_text(json.dumps({"Parameters": {"Count": "1"}}, indent=2))
    (tmp_path / "unrelated.json").write_text(json.dumps({"Parameters": {"Other": "x"}}))
    prod, staging = read_file(template)
    assert prod.name == "Config/AllTraffic [prod.json]"
    assert prod.value("hardware.instanceType") == "ml.g5.12xlarge"
    assert prod.facts["hardware.instanceType"].location.file.endswith("prod.json")
    assert prod.value("replicas.max") == 3
    assert staging.value("hardware.instanceType") == "ml.g5.xlarge"  # from the template's Default
    assert staging.facts["hardware.instanceType"].location.line == 4
    assert "template.yml:4" in staging.facts["hardware.instanceType"].detail
    for deployment in (prod, staging):
        assert deployment.value("model.name") == "meta-llama/Llama-3.1-8B-Instruct"
        assert deployment.value("task") == "text-generation"
        assert deployment.value("hardware.count") == 4
        assert deployment.facts["model.name"].location.line == 21


def test_unresolvable_ref_is_unresolved_not_guessed() -> None:
    (deployment,) = read_text(
        """
        Parameters:
          EndpointInstanceType: {Type: String}
        Resources:
          Config:
            Type: AWS::SageMaker::EndpointConfig
            Properties:
              ProductionVariants:
                - VariantName: v
                  InstanceType: !Ref EndpointInstanceType
                  InitialInstanceCount: !Sub "${Count}"
        """
    )
    assert "hardware.instanceType" not in deployment.facts
    assert deployment.unresolved["hardware.instanceType"].value == "!Ref EndpointInstanceType"
    assert deployment.unresolved["hardware.instanceType"].location.line == 10
    assert "'!Ref EndpointInstanceType' at line 10 is a placeholder" in deployment.hint(
        "hardware.instanceType"
    )
    assert "replicas.min" in deployment.unresolved


def test_serverless_variant_and_conditions() -> None:
    deployments = read_text(
        """
        Parameters:
          Env: {Type: String, Default: prod}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          NotProd: !Not [!Condition IsProd]
        Resources:
          Config:
            Type: AWS::SageMaker::EndpointConfig
            Properties:
              ProductionVariants:
                - VariantName: serverless
                  ModelName: my-model
                  ServerlessConfig:
                    MaxConcurrency: !If [IsProd, 20, 5]
                    MemorySizeInMB: 4096
                - !If
                  - NotProd
                  - {VariantName: dev, InstanceType: ml.g4dn.xlarge}
                  - !Ref AWS::NoValue
          Model:
            Type: AWS::SageMaker::Model
            Properties:
              ModelName: my-model
              Containers:
                - Environment: {HF_MODEL_ID: BAAI/bge-small-en-v1.5, HF_TASK: feature-extraction}
        """
    )
    (deployment,) = deployments  # the dev variant exists only when not prod
    assert deployment.value("rateLimits.concurrency") == 20
    assert deployment.facts["rateLimits.concurrency"].detail.endswith("condition IsProd is true")
    assert deployment.value("hardware.accelerator") == "cpu"
    assert deployment.facts["hardware.accelerator"].source is FactSource.DERIVED
    assert deployment.value("model.name") == "BAAI/bge-small-en-v1.5"
    assert deployment.value("task") == "embedding"


def test_conditions_choose_variants() -> None:
    template = """
        Parameters:
          Env: {Type: String, Default: ENV}
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
          NotProd: !Not [!Condition IsProd]
        Resources:
          Config:
            Type: AWS::SageMaker::EndpointConfig
            Properties:
              ProductionVariants:
                - VariantName: main
                  InstanceType: !If [IsProd, ml.g5.12xlarge, ml.g5.xlarge]
                - !If [NotProd, {VariantName: dev, InstanceType: ml.g4dn.xlarge}, !Ref AWS::NoValue]
        """
    (prod,) = read_text(template.replace("ENV", "prod"))
    assert prod.value("hardware.instanceType") == "ml.g5.12xlarge"
    main, dev = read_text(template.replace("ENV", "dev"))
    assert main.value("hardware.instanceType") == "ml.g5.xlarge"
    assert (dev.name, dev.value("hardware.instanceType")) == ("Config/dev", "ml.g4dn.xlarge")


def test_json_template_and_registry() -> None:
    text = json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {
                "Config": {
                    "Type": "AWS::SageMaker::EndpointConfig",
                    "Properties": {
                        "ProductionVariants": [
                            {
                                "VariantName": "a",
                                "InstanceType": "ml.p4d.24xlarge",
                                "InitialInstanceCount": 2,
                            }
                        ]
                    },
                }
            },
        },
        indent=2,
    )
    (document,) = load_bytes(text.encode(), "template.json").documents
    assert isinstance(adapter_for(document), SageMakerCloudFormationAdapter)
    (deployment,) = ADAPTER.read(document).deployments
    assert deployment.value("hardware.instanceType") == "ml.p4d.24xlarge"
    assert deployment.facts["hardware.instanceType"].location.line == 10
    assert deployment.value("replicas.max") == 2


@pytest.mark.parametrize(
    "text",
    [
        "Resources:\n  C: {Type: AWS::SageMaker::EndpointConfig}\n",
        "Resources:\n  C: {Type: AWS::SageMaker::EndpointConfig, Properties: [1]}\n",
        "Resources:\n  C: {Type: AWS::SageMaker::EndpointConfig, Properties: {ProductionVariants: {a: 1}}}\n",
        "Resources:\n  C: {Type: AWS::SageMaker::EndpointConfig, Properties: {ProductionVariants: [1, null, {InstanceType: [x], ModelName: !GetAtt [M]}]}}\n  M: {Type: AWS::SageMaker::Model, Properties: {Containers: [{Environment: [1]}], PrimaryContainer: 3}}\n",
        "Conditions: {A: !Condition A}\nResources:\n  C: {Type: AWS::SageMaker::EndpointConfig, Properties: !If [A, {}, {}]}\n",
        "Parameters: [1]\nConditions: 3\nResources:\n  C: {Type: AWS::SageMaker::EndpointConfig, Properties: !If [X, 1]}\n",
    ],
)
def test_surprising_shapes_never_crash(text: str) -> None:
    deployments = read_text(text)
    assert deployments
    assert all(d.format == "sagemaker" for d in deployments)


def test_other_templates_are_not_sagemaker() -> None:
    assert read_text("Resources:\n  B: {Type: AWS::S3::Bucket}\n") == []
    assert read_text("Resources: [1]\n") == []


@pytest.mark.parametrize(
    ("hf_task", "task"),
    [
        ("text-generation", "text-generation"),
        ("text-classification", "classification"),
        ("feature-extraction", "embedding"),
        ("summarization", "summarization"),
        ("translation_en_to_fr", "translation"),
        ("automatic-speech-recognition", "speech"),
        ("text2text-generation", "text-generation"),
        ("question-answering", "question-answering"),
        ("Image_Segmentation", "image-segmentation"),  # not in the table: used as written
        ("not a task!", None),
        (None, None),
    ],
)
def test_hugging_face_tasks(hf_task: str | None, task: str | None) -> None:
    mapped = task_from_hf(hf_task)
    assert (mapped[0] if mapped else None) == task

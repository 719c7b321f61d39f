"""The Sire kernel against jupyter_kernel_test: every test it offers that
applies (kernel info, stdout from ``trk``, errors, execute results, display
data, completion, inspection, is_complete). History and the pager are not
offered by this kernel yet (history comes with the machine's log)."""

from __future__ import annotations

import jupyter_kernel_test

from helpers.kernel import kernel_environment

from pallas_kernel.kernel.install import KERNEL_NAME


class SireKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "sire"
    file_extension = ".sire"

    code_hello_world = '(trk {hello, world} 0)'
    code_generate_error = "(thisNameIsNotBound 3)"
    code_execute_result = [
        {"code": "(add 1 2)", "result": "3"},
        {"code": "[1 2 3]", "result": "[1 2 3]"},
        {"code": "(add 40 2)", "mime": "text/html"},
    ]
    code_display_data = [
        {"code": "[1 2]\n[3 4]", "mime": "text/html"},
        {"code": "[1 2]\n[3 4]", "mime": "text/plain"},
    ]
    completion_samples = [
        {"text": "fold", "matches": {"foldl", "foldr", "foldr1"}},
    ]
    complete_code_samples = ["(add 1 2)", "x=3", "= (f x)\n| add x x\n\n", "; a comment"]
    incomplete_code_samples = ["= x 3", "= (f x)\n    | add x"]
    invalid_code_samples = ["(add 1", "[1 2", '"abc']
    code_inspect_sample = "foldl"

    @classmethod
    def setUpClass(cls) -> None:
        cls._env = kernel_environment()
        cls._env.__enter__()
        try:
            super().setUpClass()
        except BaseException:
            cls._env.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            super().tearDownClass()
        finally:
            cls._env.__exit__(None, None, None)
